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
ETCD_VERSION=v3.6.16
K8S_VERSION=v1.36.3
K8S_STAGING_VERSION=v0.36.3
HELM_VERSION=v3.22.0
ESO_VERSION=v0.16.2
BUILDKIT_VERSION=v0.34.2 # test/peers/dockerfile-check/go.mod pins the same

only_path=0
if [ "${1:-}" = "--path" ]; then
  only_path=1
  shift
fi
peer=${1:?usage: peers.sh [--path] otelcol|prometheus|promtool|etcd|kube-apiserver|helm|eso-crds|dockerfile-check}

case "$peer" in
  otelcol) version=$OTELCOL_VERSION; binary=otelcol-peer; recipe_files=("$ROOT"/test/peers/otelcol/*.go "$ROOT/test/peers/otelcol/go.mod") ;;
  prometheus) version=$PROMETHEUS_VERSION; binary=prometheus; recipe_files=() ;;
  etcd) version=$ETCD_VERSION; binary=etcd; recipe_files=() ;;
  kube-apiserver) version=$K8S_VERSION; binary=kube-apiserver; recipe_files=() ;;
  helm) version=$HELM_VERSION; binary=helm; recipe_files=() ;;
  promtool) version=$PROMETHEUS_VERSION; binary=promtool; recipe_files=() ;;
  eso-crds) version=$ESO_VERSION; binary=external-secrets-crds.yaml; recipe_files=() ;;
  dockerfile-check) version=$BUILDKIT_VERSION; binary=dockerfile-check
    recipe_files=("$ROOT"/test/peers/dockerfile-check/*.go "$ROOT/test/peers/dockerfile-check/go.mod") ;;
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

build_etcd() {
  # Own wrapper module: sharing one with Kubernetes would let MVS unify grpc/otel versions.
  local tmp=$1 w="$PEERS_CACHE/src/etcd-$ETCD_VERSION"
  mkdir -p "$w"
  printf 'module peers.local/etcd\n\ngo 1.26\n' > "$w/go.mod"
  (cd "$w" && go mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION" &&
    go build -mod=mod -trimpath -ldflags='-s -w' -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
}

build_kube-apiserver() {
  # k8s.io/kubernetes replaces its staging modules with local paths; the wrapper replaces each
  # with the published version, derived from kubernetes' own go.mod.
  local tmp=$1 w="$PEERS_CACHE/src/kube-apiserver-$K8S_VERSION" kmod
  kmod=$(cd "$(mktemp -d)" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": *"\([^"]*\)".*/\1/p')
  rm -rf "$w" && mkdir -p "$w"
  printf 'module peers.local/kube-apiserver\n\ngo 1.26\n' > "$w/go.mod"
  (
    cd "$w"
    go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
    grep -E '^[[:space:]]*k8s\.io/[a-z0-9-]+ => \./staging/' "$kmod" | awk '{print $1}' |
      while read -r m; do go mod edit -replace="$m=$m@$K8S_STAGING_VERSION"; done
    grep -E '^godebug ' "$kmod" | sed 's/^godebug //' | while read -r kv; do go mod edit -godebug="$kv"; done
    go build -mod=mod -trimpath -ldflags='-s -w' -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  )
}

build_promtool() {
  local tmp=$1
  GOBIN="$tmp" go install -trimpath -ldflags='-s -w' -tags remove_all_sd \
    "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
}

build_helm() {
  local tmp=$1
  GOBIN="$tmp" go install -trimpath -ldflags='-s -w' "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

build_dockerfile-check() {
  # BuildKit's Dockerfile parser, lint rules and Docker's .dockerignore matcher behind a small
  # main (test/peers/dockerfile-check): the Dockerfile is checked without a Docker engine.
  local tmp=$1 src="$PEERS_CACHE/src/dockerfile-check-$recipe"
  rm -rf "$src" && mkdir -p "$src"
  cp "$ROOT"/test/peers/dockerfile-check/*.go "$ROOT/test/peers/dockerfile-check/go.mod" "$src/"
  (cd "$src" && go build -mod=mod -trimpath -ldflags='-s -w' -o "$tmp/dockerfile-check" .)
}

build_eso-crds() {
  # Not a binary: the External Secrets Operator's own CustomResourceDefinitions for the two kinds
  # the chart renders (SecretStore, ExternalSecret), from its module on the Go module proxy, so
  # the API server validates the chart's objects against ESO's real schema.
  local tmp=$1 moddir
  moddir=$(cd "$(mktemp -d)" && go mod download -json "github.com/external-secrets/external-secrets@$ESO_VERSION" |
    sed -n 's/.*"Dir": *"\([^"]*\)".*/\1/p')
  for kind in secretstores externalsecrets; do
    printf -- '---\n' # one YAML document each: the files do not all start with a separator
    cat "$moddir/config/crds/bases/external-secrets.io_$kind.yaml"
  done > "$tmp/external-secrets-crds.yaml"
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
  { echo "built in $(( $(date +%s) - start ))s"; go version -m "$dir/$binary" 2>/dev/null | head -3 || true; } > "$dir/.ok"
fi
echo "$dir/$binary"
