#!/usr/bin/env bash
# Installs the real programs the integration tests run against (Debian
# packages), only when one is missing, so it is idempotent and fast on a
# machine that already has them. CI runs as root; elsewhere sudo is used if
# present.
set -euo pipefail

need=()
[ -x /usr/bin/prometheus ] || need+=(prometheus)
[ -x /usr/bin/promtool ] || need+=(prometheus)
[ -x /usr/bin/prometheus-pushgateway ] || need+=(prometheus-pushgateway)
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || need+=(python3-prometheus-client)

if [ "${#need[@]}" -eq 0 ]; then
  echo "integration-setup: prometheus, promtool, prometheus-pushgateway and python3-prometheus-client present"
  exit 0
fi

# De-duplicate (prometheus may be listed twice).
mapfile -t pkgs < <(printf '%s\n' "${need[@]}" | sort -u)
echo "integration-setup: installing ${pkgs[*]}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "integration-setup: not root and no sudo; install ${pkgs[*]} by hand" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# --no-install-recommends: the tests need the binaries, not the web consoles or docs.
$SUDO apt-get install -y --no-install-recommends "${pkgs[@]}"

# Debian starts the services on install where an init system runs; the tests
# start their own instances on free ports, so stop any that were started.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl stop prometheus prometheus-pushgateway 2>/dev/null || true
fi

for b in /usr/bin/prometheus /usr/bin/promtool /usr/bin/prometheus-pushgateway; do
  [ -x "$b" ] || { echo "integration-setup: $b still missing after install" >&2; exit 1; }
done
/usr/bin/python3 -c 'import prometheus_client' || { echo "integration-setup: python3 prometheus_client missing" >&2; exit 1; }
echo "integration-setup: done"
