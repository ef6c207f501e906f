#!/usr/bin/env bash
# Assemble the scratch image's root filesystem into DIR: the compiled binary, exactly the files
# of deploy/image/rootfs.list (symlinks resolved), and a passwd/group naming the non-root user.
# Used by the Dockerfile's build stage and by the chroot smoke test — the same file set.
#   scripts/image-rootfs.sh DIR [BINARY]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: image-rootfs.sh DIR [BINARY]}
bin=${2:-$ROOT/bin/genai-otel-bridge}
rm -rf "$dir"
mkdir -p "$dir/etc" "$dir/proc"
install -m 0755 "$bin" "$dir/genai-otel-bridge"
grep -vE '^\s*(#|$)' "$ROOT/deploy/image/rootfs.list" | while read -r f; do
  mkdir -p "$dir$(dirname "$f")"
  cp -L "$f" "$dir$f"
done
printf 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' > "$dir/etc/passwd"
printf 'nonroot:x:65532:\n' > "$dir/etc/group"
