#!/usr/bin/env bash
# Make sure Debian packages are installed: install the missing ones (as root), or fail naming
# them. A `name:arm64` package first adds the arm64 architecture to dpkg (multiarch).
#   scripts/debian-packages.sh PKG...
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (install them, or run as root)" >&2
  exit 1
fi
for p in "${missing[@]}"; do
  case "$p" in
    *:arm64) dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 ;;
  esac
done
echo "installing Debian packages: ${missing[*]}" >&2
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2
