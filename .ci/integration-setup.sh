#!/usr/bin/env bash
# Provides the real programs the integration tests run against, idempotent
# and fast on a machine that already has them:
# - .ci/sid-tools.sh: Prometheus 3.5.3, promtool 3.5.3, Pushgateway 1.11.2,
#   node_exporter 1.11.1, VictoriaMetrics 1.145, and Go 1.26 with the
#   client_golang/expfmt sources (its build cache warmed) from Debian sid,
#   unpacked into $PROMWIRE_TOOLS (default /var/cache/promwire-tools), never
#   installed;
# - Debian 12 packages, installed with apt when missing: prometheus (2.42, for
#   the few tests of behaviour that differs on 2.x) and
#   python3-prometheus-client (the OpenMetrics parser the encoder is checked
#   against).
# CI runs as root; elsewhere sudo is used if present.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
need=()
[ -x /usr/bin/prometheus ] || need+=(prometheus)
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || need+=(python3-prometheus-client)

if [ "${#need[@]}" -eq 0 ]; then
  echo "integration-setup: Debian 12 prometheus (2.42) and python3-prometheus-client present"
else
  echo "integration-setup: installing ${need[*]} (Debian 12)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "integration-setup: not root and no sudo; install ${need[*]} by hand" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  # --no-install-recommends: the tests need the binaries, not the web consoles or docs.
  $SUDO apt-get install -y --no-install-recommends "${need[@]}"
  # Debian starts the service on install where an init system runs; the
  # tests start their own instances on free ports, so stop it.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl stop prometheus 2>/dev/null || true
  fi
  [ -x /usr/bin/prometheus ] || { echo "integration-setup: /usr/bin/prometheus still missing after install" >&2; exit 1; }
  /usr/bin/python3 -c 'import prometheus_client' || { echo "integration-setup: python3 prometheus_client missing" >&2; exit 1; }
fi
echo "integration-setup: Debian 12 part took $(( $(date +%s) - start )) s"

# The sid programs; $PROMWIRE_TOOLS must be writable (root, or set it).
bash .ci/sid-tools.sh
