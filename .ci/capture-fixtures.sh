#!/usr/bin/env bash
# Captures the real payloads in fixtures/*-<version>.* from the programs that
# .ci/sid-tools.sh fetched from Debian sid, each run on 127.0.0.1 only:
# Prometheus 3.5.3 (its own /metrics in text and OpenMetrics, and /federate),
# Pushgateway 1.11.2 (after two pushes of fixtures/inputs/*.body.txt),
# node_exporter 1.11.1 (text and OpenMetrics) and VictoriaMetrics 1.145.
# Prometheus scrapes the other three (2 s interval) for CAPTURE_SECONDS
# before the captures. Response headers go to fixtures/headers/.
# Not run by CI (payloads change with the machine); run it by hand to refresh
# the fixtures, then update fixtures/README.md and fixtures/content-types.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/sid-tools.sh >/dev/null
TOOLS=${PROMWIRE_TOOLS:-/var/cache/promwire-tools}
BIN=$TOOLS/bin
OUT=${OUT:-fixtures}
SECS=${CAPTURE_SECONDS:-20}
P_PROM=19090 P_GW=19091 P_NODE=19100 P_VM=19428 P_VM2=19429
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for port in $P_PROM $P_GW $P_NODE $P_VM $P_VM2; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is in use" >&2; exit 1; fi
done

cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 2s
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:$P_PROM'] }]
  - job_name: pushgateway
    honor_labels: true
    static_configs: [{ targets: ['127.0.0.1:$P_GW'] }]
  - job_name: node
    static_configs: [{ targets: ['127.0.0.1:$P_NODE'] }]
  - job_name: victoria-metrics
    static_configs: [{ targets: ['127.0.0.1:$P_VM'] }]
YML
"$BIN/pushgateway" --web.listen-address=127.0.0.1:$P_GW --persistence.file= --log.level=warn &
pids+=($!)
"$BIN/node_exporter" --web.listen-address=127.0.0.1:$P_NODE --log.level=warn &
pids+=($!)
"$BIN/victoria-metrics" -httpListenAddr=127.0.0.1:$P_VM -storageDataPath="$work/vm" -loggerLevel=WARN &
pids+=($!)
# A second VictoriaMetrics with -metrics.exposeMetadata (HELP and TYPE lines;
# by default it writes bare samples).
"$BIN/victoria-metrics" -httpListenAddr=127.0.0.1:$P_VM2 -storageDataPath="$work/vm2" -loggerLevel=WARN -metrics.exposeMetadata &
pids+=($!)
"$BIN/prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" \
  --web.listen-address=127.0.0.1:$P_PROM --log.level=warn &
pids+=($!)
for url in http://127.0.0.1:$P_GW/-/ready http://127.0.0.1:$P_NODE/metrics http://127.0.0.1:$P_VM/health http://127.0.0.1:$P_VM2/health http://127.0.0.1:$P_PROM/-/ready; do
  for _ in $(seq 100); do curl -sf -o /dev/null "$url" && break; sleep 0.2; done
done

curl -sSf --data-binary @fixtures/inputs/pushgateway_push_batch_demo.body.txt http://127.0.0.1:$P_GW/metrics/job/batch_demo/instance/host-a
curl -sSf --data-binary @fixtures/inputs/pushgateway_push_second_job.body.txt http://127.0.0.1:$P_GW/metrics/job/second_job
sleep "$SECS"

mkdir -p "$OUT/headers"
TEXT='Accept: text/plain;version=0.0.4'
# OpenMetrics first, in both versions client_golang knows; the answer's
# Content-Type tells what was served.
OM='Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.9,text/plain;q=0.1'
cap() { # cap FILE ACCEPT URL: keeps the body and its response headers
  curl -sSf -H "$2" -D "$OUT/headers/$1.headers.txt" -o "$OUT/$1" "$3"
  printf '%-40s %8d bytes  %s\n' "$1" "$(wc -c <"$OUT/$1")" "$(grep -i '^content-type:' "$OUT/headers/$1.headers.txt" | tr -d '\r')"
}
cap_om() { # cap_om NAME URL: keeps NAME.om.txt only if OpenMetrics came back; the headers always
  curl -sSf -H "$OM" -D "$OUT/headers/$1.om-request.headers.txt" -o "$work/om" "$2"
  if grep -qi '^content-type: application/openmetrics-text' "$OUT/headers/$1.om-request.headers.txt"; then
    mv "$work/om" "$OUT/$1.om.txt"
    printf '%-40s %8d bytes  %s\n' "$1.om.txt" "$(wc -c <"$OUT/$1.om.txt")" "$(grep -i '^content-type:' "$OUT/headers/$1.om-request.headers.txt" | tr -d '\r')"
  else
    printf '%-40s not served: %s\n' "$1 (OpenMetrics asked)" "$(grep -i '^content-type:' "$OUT/headers/$1.om-request.headers.txt" | tr -d '\r')"
  fi
}
cap prometheus-3.5.3.prom "$TEXT" http://127.0.0.1:$P_PROM/metrics
cap_om prometheus-3.5.3 http://127.0.0.1:$P_PROM/metrics
# All series but node_exporter's (which would take it past 300 KB).
FED="http://127.0.0.1:$P_PROM/federate?match%5B%5D=%7Bjob%3D~%22prometheus%7Cpushgateway%7Cvictoria-metrics%22%7D"
cap federate-3.5.3.prom "$TEXT" "$FED"
cap_om federate-3.5.3 "$FED"
cap pushgateway-1.11.2.prom "$TEXT" http://127.0.0.1:$P_GW/metrics
cap_om pushgateway-1.11.2 http://127.0.0.1:$P_GW/metrics
cap node_exporter-1.11.1.prom "$TEXT" http://127.0.0.1:$P_NODE/metrics
cap_om node_exporter-1.11.1 http://127.0.0.1:$P_NODE/metrics
cap victoria-metrics-1.145.prom "$TEXT" http://127.0.0.1:$P_VM/metrics
cap victoria-metrics-1.145.metadata.prom "$TEXT" http://127.0.0.1:$P_VM2/metrics
cap_om victoria-metrics-1.145 http://127.0.0.1:$P_VM/metrics
