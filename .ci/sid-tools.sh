#!/usr/bin/env bash
# Fetches the programs the integration tests run against from Debian sid,
# without touching the system's apt configuration and without installing
# anything into the system:
#
#   prometheus                3.5.3  (the server)
#   promtool                  3.5.3  (sid splits it out of prometheus)
#   prometheus-pushgateway    1.11.2
#   prometheus-node-exporter  1.11.1 (fixture capture only)
#   victoria-metrics          1.145  (fixture capture only)
#
# Where: $PROMWIRE_TOOLS, default /var/cache/promwire-tools (outside the repo,
# so every clone and worktree on a machine shares one download). Layout:
#   apt/        private apt state: sources.list, lists, cache, empty dpkg status
#   debs/       the downloaded .deb files
#   root/PKG/   each package unpacked with dpkg-deb -x
#   bin/        symlinks the tests use: prometheus promtool pushgateway
#               node_exporter victoria-metrics
#   VERSIONS    the pinned Debian versions this tree was made from
# test/integration/helpers.ts `tool(name)` looks in $PROMWIRE_TOOLS/bin.
#
# How apt is kept private: every apt-get call gets -o options that replace
# the system's sources (Dir::Etc::SourceList = our file, SourceParts =
# /dev/null), preferences, trusted keys (none: the source line names its
# keyring with signed-by=), lists, cache and the dpkg status (an empty file,
# so the system's installed packages play no part). apt-get is only used to
# `update` and `download`; nothing is installed.
#
# Signatures: sid's InRelease is signed by the bookworm and trixie automatic
# signing keys, both in Debian 12's /usr/share/keyrings/debian-archive-keyring.gpg,
# so signature checks stay on. If the mirror serves a Release file whose
# Valid-Until has passed (a frozen mirror or snapshot), the update is retried
# once with Acquire::Check-Valid-Until=false and a WARNING saying so;
# signatures are still checked in that retry. (The system's apt.conf.d is
# otherwise honoured, e.g. for proxies.)
#
# Idempotent: when bin/ already holds the pinned versions (VERSIONS matches),
# nothing is fetched. Set PROMWIRE_TOOLS_REFRESH=1 to fetch again.
set -euo pipefail

TOOLS=${PROMWIRE_TOOLS:-/var/cache/promwire-tools}
KEYRING=${PROMWIRE_TOOLS_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
MIRROR=${PROMWIRE_TOOLS_MIRROR:-http://deb.debian.org/debian}

# Pinned Debian versions (sid). When sid moves on, `apt-get download` of a pin
# fails with a message naming this list; update the pins and the tests then.
PINS=(
  "prometheus=3.5.3+ds1-6"
  "promtool=3.5.3+ds1-6"
  "prometheus-pushgateway=1.11.2-1"
  "prometheus-node-exporter=1.11.1-3"
  "victoria-metrics=1.145.0+ds1-2"
)

t0=$(date +%s.%N)
step_start=$t0
step() { # step NAME: prints the time taken since the previous step
  local now
  now=$(date +%s.%N)
  printf 'sid-tools: %-28s %6.2f s\n' "$1" "$(echo "$now - $step_start" | bc)"
  step_start=$now
}

want_versions=$(printf '%s\n' "${PINS[@]}")
if [ "${PROMWIRE_TOOLS_REFRESH:-0}" != 1 ] && [ -f "$TOOLS/VERSIONS" ] &&
  [ "$(cat "$TOOLS/VERSIONS")" = "$want_versions" ] &&
  [ -x "$TOOLS/bin/prometheus" ] && [ -x "$TOOLS/bin/promtool" ] &&
  [ -x "$TOOLS/bin/pushgateway" ] && [ -x "$TOOLS/bin/node_exporter" ] &&
  [ -x "$TOOLS/bin/victoria-metrics" ]; then
  step "cached, nothing to fetch"
else
  if ! mkdir -p "$TOOLS" 2>/dev/null || [ ! -w "$TOOLS" ]; then
    echo "sid-tools: cannot write to $TOOLS; run as root or set PROMWIRE_TOOLS to a writable folder (the tests read the same variable)" >&2
    exit 1
  fi
  mkdir -p "$TOOLS/apt/lists/partial" "$TOOLS/apt/cache/archives/partial" "$TOOLS/apt/etc/preferences.d" "$TOOLS/debs" "$TOOLS/root" "$TOOLS/bin"
  [ -r "$KEYRING" ] || { echo "sid-tools: keyring $KEYRING missing (apt-get install debian-archive-keyring)" >&2; exit 1; }
  echo "deb [signed-by=$KEYRING] $MIRROR sid main" >"$TOOLS/apt/etc/sources.list"
  : >"$TOOLS/apt/status"
  APT=(
    -o "Dir::Etc::SourceList=$TOOLS/apt/etc/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null"
    -o "Dir::Etc::PreferencesParts=$TOOLS/apt/etc/preferences.d"
    -o "Dir::Etc::Trusted=/dev/null"
    -o "Dir::Etc::TrustedParts=/dev/null"
    -o "Dir::State=$TOOLS/apt"
    -o "Dir::State::Lists=$TOOLS/apt/lists"
    -o "Dir::State::status=$TOOLS/apt/status"
    -o "Dir::Cache=$TOOLS/apt/cache"
    -o "APT::Architecture=$(dpkg --print-architecture)"
    -o "Acquire::Languages=none"
    -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
    -o "APT::Sandbox::User=root"
    -o "Debug::NoLocking=true"
  )
  # -q: one line per fetched index instead of progress bars. The first try
  # asks for the Valid-Until check explicitly, since a machine's apt.conf.d
  # may have turned it off.
  if ! apt-get -q "${APT[@]}" -o Acquire::Check-Valid-Until=true update 2>"$TOOLS/apt/update.err"; then
    cat "$TOOLS/apt/update.err" >&2
    if grep -q 'is expired' "$TOOLS/apt/update.err" 2>/dev/null || grep -q 'is not valid yet' "$TOOLS/apt/update.err"; then
      echo "sid-tools: WARNING: the mirror's sid Release file is outside its Valid-Until window" >&2
      echo "sid-tools: WARNING: retrying with Acquire::Check-Valid-Until=false (signatures are still verified)" >&2
      APT+=(-o "Acquire::Check-Valid-Until=false")
      apt-get -q "${APT[@]}" update
    else
      exit 1
    fi
  elif [ -s "$TOOLS/apt/update.err" ]; then
    cat "$TOOLS/apt/update.err" >&2
  fi
  step "apt-get update (sid)"

  rm -f "$TOOLS/debs/"*.deb
  for pin in "${PINS[@]}"; do
    if ! (cd "$TOOLS/debs" && apt-get -q "${APT[@]}" download "$pin"); then
      echo "sid-tools: cannot download $pin from sid; sid now has:" >&2
      apt-cache "${APT[@]}" policy "${pin%%=*}" >&2 || true
      echo "sid-tools: update PINS in $0 (and the versions the tests expect)" >&2
      exit 1
    fi
  done
  step "apt-get download"

  for deb in "$TOOLS/debs/"*.deb; do
    pkg=$(dpkg-deb -f "$deb" Package)
    rm -rf "$TOOLS/root/$pkg"
    if [ "$pkg" = victoria-metrics ]; then
      # The package holds nine programs (~600 MB unpacked); only the server is used.
      mkdir -p "$TOOLS/root/$pkg"
      dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$TOOLS/root/$pkg" ./usr/bin/victoria-metrics
    else
      dpkg-deb -x "$deb" "$TOOLS/root/$pkg"
    fi
  done
  ln -sfn ../root/prometheus/usr/bin/prometheus "$TOOLS/bin/prometheus"
  ln -sfn ../root/promtool/usr/bin/promtool "$TOOLS/bin/promtool"
  ln -sfn ../root/prometheus-pushgateway/usr/bin/prometheus-pushgateway "$TOOLS/bin/pushgateway"
  ln -sfn ../root/prometheus-node-exporter/usr/bin/prometheus-node-exporter "$TOOLS/bin/node_exporter"
  ln -sfn ../root/victoria-metrics/usr/bin/victoria-metrics "$TOOLS/bin/victoria-metrics"
  for b in prometheus promtool pushgateway node_exporter victoria-metrics; do
    [ -x "$TOOLS/bin/$b" ] || { echo "sid-tools: $TOOLS/bin/$b missing after unpacking" >&2; exit 1; }
  done
  echo "$want_versions" >"$TOOLS/VERSIONS"
  step "dpkg-deb -x"
fi

# Each binary must run on this system as it is (Debian 12 glibc, libzstd1).
for b in prometheus promtool pushgateway node_exporter; do
  printf 'sid-tools: %-17s %s\n' "$b" "$("$TOOLS/bin/$b" --version 2>&1 | head -n 1)"
done
# Debian's victoria-metrics build prints an empty -version (no version ldflags);
# -help proves it loads (it links libzstd.so.1), the package version says which.
"$TOOLS/bin/victoria-metrics" -help >/dev/null 2>&1 || { echo "sid-tools: victoria-metrics does not run" >&2; exit 1; }
printf 'sid-tools: %-17s runs; package %s (its -version is empty in the Debian build)\n' victoria-metrics \
  "$(dpkg-deb -f "$TOOLS/debs/"victoria-metrics_*.deb Version)"
step "versions"
printf 'sid-tools: total %.2f s; tools in %s/bin\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$TOOLS"
