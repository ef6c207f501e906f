#!/usr/bin/env bash
# Assemble the scratch image's root filesystem into DIR: the compiled binary, the files of
# deploy/image/rootfs.list for the binary's architecture (symlinks resolved), /licenses (the
# project's licence and the third-party notices, scripts/notices.ts) and a passwd/group naming the
# non-root user. Used by the Dockerfile's build stage and by the chroot smoke test — the same
# file set.
#   scripts/image-rootfs.sh DIR [BINARY]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: image-rootfs.sh DIR [BINARY]}
bin=${2:-$ROOT/bin/genai-otel-bridge}

# The architecture is the binary's, read from its ELF header (e_machine, 2 bytes at offset 18),
# not the builder's: a cross-built binary gets its own loader and libraries.
case "$(od -An -tu2 -j18 -N2 "$bin" | tr -d ' ')" in
  62) arch=x86_64 ;;
  183) arch=aarch64 ;;
  *) echo "image-rootfs.sh: $bin is not an x86_64 or aarch64 ELF executable" >&2; exit 1 ;;
esac

rm -rf "$dir"
mkdir -p "$dir/etc" "$dir/proc" "$dir/licenses"
install -m 0755 "$bin" "$dir/genai-otel-bridge"
grep -vE '^\s*(#|$)' "$ROOT/deploy/image/rootfs.list" | while read -r want f; do
  [ "$want" = "*" ] || [ "$want" = "$arch" ] || continue
  if [ ! -e "$f" ]; then
    echo "image-rootfs.sh: $f (rootfs.list, $arch) is missing on this builder" >&2
    exit 1
  fi
  mkdir -p "$dir$(dirname "$f")"
  cp -L "$f" "$dir$f"
done
"$ROOT/node_modules/.bin/bun" "$ROOT/scripts/notices.ts" "$dir/licenses" --glibc
# The two writable places, as empty directories: the chart mounts emptyDirs over them, and a
# plain `docker run` (no mounts) still has a /tmp and the default file-checkpoint directory.
# COPY --from keeps the build stage's ownership, so the state directory belongs to the user.
install -d -m 1777 "$dir/tmp"
install -d -m 0700 "$dir/var/lib/genai-otel-bridge"
if [ "$(id -u)" = 0 ]; then
  chown 65532:65532 "$dir/var/lib/genai-otel-bridge"
else
  echo "image-rootfs.sh: not root, so var/lib/genai-otel-bridge is not owned by 65532" >&2
fi
printf 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' > "$dir/etc/passwd"
printf 'nonroot:x:65532:\n' > "$dir/etc/group"
