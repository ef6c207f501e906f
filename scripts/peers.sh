#!/usr/bin/env bash
# Build real test peers from the Go module proxy into a cache keyed by peer, version, Go version
# and a hash of the recipe (this file plus the peer's committed manifest). Prints the binary path.
#
#   scripts/peers.sh otelcol|prometheus      build if missing, print the path
#   scripts/peers.sh --path PEER              print the path only if already built (exit 1 otherwise)
#
# Cache: $GENAI_PEERS_CACHE, default ~/.cache/genai-otel-bridge/peers. A build goes to a temp dir,
# is moved into place, and only then gets its .ok marker, so a killed build never looks done.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export GOTOOLCHAIN=local CGO_ENABLED=0
PEERS_CACHE="${GENAI_PEERS_CACHE:-$HOME/.cache/genai-otel-bridge/peers}"
export GOMODCACHE="$PEERS_CACHE/gomod" GOCACHE="$PEERS_CACHE/gocache"
export GOFLAGS=-buildvcs=false

OTELCOL_VERSION=0.160.0
PROMETHEUS_VERSION=v0.316.0

only_path=0
if [ "${1:-}" = "--path" ]; then
  only_path=1
  shift
fi
peer=${1:?usage: peers.sh [--path] otelcol|prometheus}

case "$peer" in
  otelcol) version=$OTELCOL_VERSION; binary=otelcol-peer; recipe_files=("$ROOT"/test/peers/otelcol/*.go "$ROOT/test/peers/otelcol/go.mod") ;;
  prometheus) version=$PROMETHEUS_VERSION; binary=prometheus; recipe_files=() ;;
  *) echo "unknown peer: $peer" >&2; exit 2 ;;
esac

gover=$(go env GOVERSION)
recipe=$( (sed -n "/^build_$peer()/,/^}/p" "$0"; for f in "${recipe_files[@]}"; do cat "$f"; done) | sha256sum | cut -c1-8)
dir="$PEERS_CACHE/bin/$peer@$version-$(go env GOOS)-$(go env GOARCH)-$gover-$recipe"

if [ -f "$dir/.ok" ]; then
  echo "$dir/$binary"
  exit 0
fi
if [ "$only_path" = 1 ]; then
  exit 1
fi

build_otelcol() {
  # The sources in test/peers/otelcol were generated once by the Collector Builder from
  # otelcol-peer.yaml. The builder itself is not run here: its `go mod tidy` also resolves the
  # test imports of contrib modules, some of which the module proxy does not serve, while
  # `go build -mod=mod` needs only what the binary imports.
  local tmp=$1 src="$PEERS_CACHE/src/otelcol-$OTELCOL_VERSION-$recipe"
  rm -rf "$src" && mkdir -p "$src"
  cp "$ROOT"/test/peers/otelcol/*.go "$ROOT/test/peers/otelcol/go.mod" "$src/"
  (cd "$src" && go build -mod=mod -trimpath -ldflags='-s -w' -o "$tmp/otelcol-peer" .)
}

build_prometheus() {
  local tmp=$1
  GOBIN="$tmp" go install -trimpath -ldflags='-s -w' -tags remove_all_sd \
    "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_VERSION"
}

mkdir -p "$PEERS_CACHE/bin"
exec 9>"$PEERS_CACHE/.lock-$peer"
flock 9
if [ ! -f "$dir/.ok" ]; then
  tmp=$(mktemp -d "$PEERS_CACHE/bin/.tmp-$peer-XXXXXX")
  start=$(date +%s)
  echo "building $peer $version (cold builds take minutes)…" >&2
  "build_$peer" "$tmp" >&2
  rm -rf "$dir"
  mv "$tmp" "$dir"
  { echo "built in $(( $(date +%s) - start ))s"; go version -m "$dir/$binary" | head -3; } > "$dir/.ok"
fi
echo "$dir/$binary"
