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
# and, for the client_golang reference programs of test/integration/go/, the
# Go toolchain 1.26 and the Go sources of client_golang 1.23.2,
# prometheus/common 0.69 (expfmt), client_model 0.6.2, google.golang.org/protobuf
# 1.36 and what they import (beorn7/perks, cespare/xxhash/v2, prometheus/procfs,
# munnerz/goautoneg, golang.org/x/sys), all unpacked into one tree and built in
# GOPATH mode (Debian's -dev packages ship sources under /usr/share/gocode);
# and, for the bench's Prometheus rows (bench/go/textparse), the Prometheus
# 3.5.3 sources (its model/textparse parsers) with what textparse imports
# beyond the above (gogo/protobuf, grafana/regexp, golang.org/x/text); and
# golang/snappy 1.0.0, the decoder of Prometheus' remote-write bodies, for
# test/integration/go/snappy-decode.
#
# Where: $PROMWIRE_TOOLS, default /var/cache/promwire-tools (outside the repo,
# so every clone and worktree on a machine shares one download). Layout:
#   apt/        private apt state: sources.list, lists, cache, empty dpkg status
#   debs/       the downloaded .deb files
#   root/PKG/   each package unpacked with dpkg-deb -x
#   bin/        symlinks the tests use: prometheus promtool pushgateway
#               node_exporter victoria-metrics; and `go`, a wrapper running
#               sid's go with GO111MODULE=off, GOPATH=go/root/usr/share/gocode,
#               GOROOT=go/root/usr/lib/go-1.26, GOCACHE=go/cache,
#               GOTOOLCHAIN=local, GOPROXY=off, CGO_ENABLED=0
#   VERSIONS    the pinned Debian versions this tree was made from
#   go/debs/    the Go .deb files; go/root/ all of them unpacked into one tree;
#   go/cache/   the Go build cache, warmed here by building client_golang,
#               expfmt and protojson once (the cold compile of the standard
#               library and protobuf is ~70 s on 2 cores; the tests' own
#               builds then take a second or two)
#   go/VERSIONS the pinned Go package versions go/root was made from
#   go/textparse-debs/, go/VERSIONS-textparse  the Prometheus sources' .deb
#               files and pins, unpacked into go/root as well
# test/integration/helpers.ts `tool(name)` looks in $PROMWIRE_TOOLS/bin, and
# `goProgram(name)` builds test/integration/go/NAME with bin/go.
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
# Idempotent: when bin/ already holds the pinned versions (VERSIONS and
# go/VERSIONS match), nothing is fetched; the warm-up build then finds
# everything in go/cache (about a second). Set PROMWIRE_TOOLS_REFRESH=1 to fetch again.
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

# The Go toolchain and the Go sources the reference programs build against.
# golang-1.26-src is needed: Debian ships the standard library as source only.
# The set is what `go list -deps` of test/integration/go/* reaches (the -dev
# packages' other Depends, e.g. common's kingpin or x/oauth2, are for parts
# the programs do not import).
GO_PINS=(
  "golang-1.26-go=1.26.10-1"
  "golang-1.26-src=1.26.10-1"
  "golang-github-prometheus-client-golang-dev=1.23.2-5"
  "golang-github-prometheus-client-model-dev=0.6.2-2"
  "golang-github-prometheus-common-dev=0.69.0-1"
  "golang-google-protobuf-dev=1.36.10-2"
  "golang-github-beorn7-perks-dev=1.0.1-3"
  "golang-github-cespare-xxhash-v2-dev=2.3.0-4"
  "golang-github-prometheus-procfs-dev=0.21.1-1"
  "golang-github-munnerz-goautoneg-dev=0.0~git20191010.a7dc8b6-2"
  "golang-golang-x-sys-dev=0.49.0+dfsg-1"
)
GO_VERSION_DIR=go-1.26

t0=$(date +%s.%N)
step_start=$t0
step() { # step NAME: prints the time taken since the previous step
  local now
  now=$(date +%s.%N)
  printf 'sid-tools: %-28s %6.2f s\n' "$1" "$(echo "$now - $step_start" | bc)"
  step_start=$now
}

APT=()
apt_ready=0
apt_setup() { # the private apt state and a fresh sid index, once per run
  [ "$apt_ready" = 1 ] && return 0
  if ! mkdir -p "$TOOLS" 2>/dev/null || [ ! -w "$TOOLS" ]; then
    echo "sid-tools: cannot write to $TOOLS; run as root or set PROMWIRE_TOOLS to a writable folder (the tests read the same variable)" >&2
    exit 1
  fi
  mkdir -p "$TOOLS/apt/lists/partial" "$TOOLS/apt/cache/archives/partial" "$TOOLS/apt/etc/preferences.d" "$TOOLS/bin"
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
  apt_ready=1
  step "apt-get update (sid)"
}

download() { # download DIR PIN...: each pinned .deb into DIR
  local dir=$1
  shift
  local pin
  # One apt-get call for all (each call reads the whole sid index, ~1.5 s);
  # when it fails, one call per pin names the one that is missing.
  (cd "$dir" && apt-get -q "${APT[@]}" download "$@") && return 0
  for pin in "$@"; do
    if ! (cd "$dir" && apt-get -q "${APT[@]}" download "$pin"); then
      echo "sid-tools: cannot download $pin from sid; sid now has:" >&2
      apt-cache "${APT[@]}" policy "${pin%%=*}" >&2 || true
      echo "sid-tools: update the pins in $0 (and the versions the tests expect)" >&2
      exit 1
    fi
  done
}

want_versions=$(printf '%s\n' "${PINS[@]}")
if [ "${PROMWIRE_TOOLS_REFRESH:-0}" != 1 ] && [ -f "$TOOLS/VERSIONS" ] &&
  [ "$(cat "$TOOLS/VERSIONS")" = "$want_versions" ] &&
  [ -x "$TOOLS/bin/prometheus" ] && [ -x "$TOOLS/bin/promtool" ] &&
  [ -x "$TOOLS/bin/pushgateway" ] && [ -x "$TOOLS/bin/node_exporter" ] &&
  [ -x "$TOOLS/bin/victoria-metrics" ]; then
  step "cached, nothing to fetch"
else
  apt_setup
  mkdir -p "$TOOLS/debs" "$TOOLS/root"
  rm -f "$TOOLS/debs/"*.deb
  download "$TOOLS/debs" "${PINS[@]}"
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

# The Go part: its own pins and VERSIONS, so a change to one part does not
# fetch the other again.
GO=$TOOLS/go
want_go_versions=$(printf '%s\n' "${GO_PINS[@]}")
if [ "${PROMWIRE_TOOLS_REFRESH:-0}" != 1 ] && [ -f "$GO/VERSIONS" ] &&
  [ "$(cat "$GO/VERSIONS")" = "$want_go_versions" ] && [ -x "$TOOLS/bin/go" ] &&
  [ -x "$GO/root/usr/lib/$GO_VERSION_DIR/bin/go" ]; then
  step "go: cached, nothing to fetch"
else
  apt_setup
  rm -rf "$GO/debs" "$GO/root" "$GO/VERSIONS"
  mkdir -p "$GO/debs" "$GO/root" "$GO/cache"
  download "$GO/debs" "${GO_PINS[@]}"
  step "go: apt-get download"
  # One tree, as `apt-get install` would lay them out: GOROOT is
  # usr/lib/go-1.26 (its src/ links to usr/share/go-1.26/src), GOPATH is
  # usr/share/gocode. The toolchain's test/ folder (~60 MB of Go's own
  # regression tests) is left out.
  for deb in "$GO/debs/"*.deb; do
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$GO/root" --exclude="./usr/share/$GO_VERSION_DIR/test/*"
  done
  # The wrapper the tests call. It finds its tree relative to itself (bin/ is
  # a sibling of go/), so the folder can move; GOPROXY=off and
  # GOTOOLCHAIN=local keep go from reaching the network, GO111MODULE=off
  # builds against the unpacked sources, CGO_ENABLED=0 needs no C compiler.
  cat >"$TOOLS/bin/go" <<'WRAPPER'
#!/bin/sh
# Written by .ci/sid-tools.sh: Debian sid's Go 1.26 in GOPATH mode over the
# unpacked client_golang/common/client_model/protobuf sources.
tools=$(cd "$(dirname "$0")/.." && pwd)
export GO111MODULE=off GOTOOLCHAIN=local GOPROXY=off GOFLAGS= CGO_ENABLED=0 GOENV=off GOWORK=off
export GOROOT="$tools/go/root/usr/lib/go-1.26"
export GOPATH="$tools/go/root/usr/share/gocode"
export GOCACHE="$tools/go/cache"
exec "$GOROOT/bin/go" "$@"
WRAPPER
  chmod +x "$TOOLS/bin/go"
  echo "$want_go_versions" >"$GO/VERSIONS"
  step "go: unpack"
fi

# The Prometheus sources for bench/go/textparse: their own pins and VERSIONS
# file, unpacked into the same go/root (adding files only, so programs being
# built from go/root meanwhile are not disturbed). The set is what
# `go list -deps github.com/prometheus/prometheus/model/textparse` reaches
# beyond GO_PINS; the package's other Depends (cloud SDKs, k8s, ...) are for
# parts the bench does not import. When the Go part above fetched go/root
# again, the textparse folder is gone and this part runs again too.
# golang/snappy is what Prometheus 3.5's storage/remote decodes remote-write
# bodies with (codec.go, client.go); test/integration/go/snappy-decode judges
# promwire's snappy decoder by it.
TEXTPARSE_PINS=(
  "golang-github-prometheus-prometheus-dev=3.5.3+ds1-6"
  "golang-github-gogo-protobuf-dev=1.3.2-3"
  "golang-github-grafana-regexp-dev=0.0~git20240518.a468a5b-1"
  "golang-golang-x-text-dev=0.43.0-1"
  "golang-github-golang-snappy-dev=1.0.0-1"
)
TEXTPARSE_SRC=$GO/root/usr/share/gocode/src/github.com/prometheus/prometheus/model/textparse
want_tp_versions=$(printf '%s\n' "${TEXTPARSE_PINS[@]}")
if [ "${PROMWIRE_TOOLS_REFRESH:-0}" != 1 ] && [ -f "$GO/VERSIONS-textparse" ] &&
  [ "$(cat "$GO/VERSIONS-textparse")" = "$want_tp_versions" ] && [ -d "$TEXTPARSE_SRC" ]; then
  step "textparse: cached"
else
  apt_setup
  rm -rf "$GO/textparse-debs" "$GO/VERSIONS-textparse"
  mkdir -p "$GO/textparse-debs"
  download "$GO/textparse-debs" "${TEXTPARSE_PINS[@]}"
  step "textparse: apt-get download"
  for deb in "$GO/textparse-debs/"*.deb; do
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$GO/root"
  done
  [ -d "$TEXTPARSE_SRC" ] || { echo "sid-tools: $TEXTPARSE_SRC missing after unpacking" >&2; exit 1; }
  echo "$want_tp_versions" >"$GO/VERSIONS-textparse"
  step "textparse: unpack"
fi

# Warm the build cache with everything the programs import (the standard
# library and protobuf take ~70 s to compile cold on 2 cores); with a warm
# cache this takes about a second. `go build` of several packages discards
# the results and keeps the cache.
"$TOOLS/bin/go" build github.com/prometheus/client_golang/prometheus github.com/prometheus/common/expfmt \
  github.com/prometheus/client_model/go google.golang.org/protobuf/encoding/protojson encoding/json \
  github.com/prometheus/prometheus/model/textparse github.com/golang/snappy
step "go: warm the build cache"

# Each binary must run on this system as it is (Debian 12 glibc, libzstd1).
for b in prometheus promtool pushgateway node_exporter; do
  printf 'sid-tools: %-17s %s\n' "$b" "$("$TOOLS/bin/$b" --version 2>&1 | head -n 1)"
done
# Debian's victoria-metrics build prints an empty -version (no version ldflags);
# -help proves it loads (it links libzstd.so.1), the package version says which.
"$TOOLS/bin/victoria-metrics" -help >/dev/null 2>&1 || { echo "sid-tools: victoria-metrics does not run" >&2; exit 1; }
printf 'sid-tools: %-17s runs; package %s (its -version is empty in the Debian build)\n' victoria-metrics \
  "$(dpkg-deb -f "$TOOLS/debs/"victoria-metrics_*.deb Version)"
printf 'sid-tools: %-17s %s\n' go "$("$TOOLS/bin/go" version)"
step "versions"
printf 'sid-tools: total %.2f s; tools in %s/bin\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$TOOLS"
