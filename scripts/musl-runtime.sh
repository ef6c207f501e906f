#!/usr/bin/env bash
# Build the C++ runtime a musl Bun binary links against (libstdc++.so.6 and libgcc_s.so.1, as
# Alpine ships them) so `npm run release` can run the musl builds on a glibc machine.
#
# A musl release binary needs libc.musl-<arch>.so.1 and libstdc++.so.6 (which needs
# libgcc_s.so.1). Debian ships musl's libc and loader but no C++ runtime built for musl, and the
# glibc libstdc++ does not load on musl (it calls glibc-only symbols). So this script builds GCC's
# target libraries for <arch>-linux-musl from Debian's own GCC source package, the way Alpine
# does: a cross gcc (C and C++ only, on Debian's binutils for that architecture), then libgcc and
# libstdc++-v3. It prints a directory holding a root file tree:
#
#   lib/ld-musl-<arch>.so.1 -> libc.musl-<arch>.so.1, lib/libc.musl-<arch>.so.1 (Debian musl)
#   usr/lib/libstdc++.so.6, usr/lib/libgcc_s.so.1                  (built here)
#
#   scripts/musl-runtime.sh [x86_64|aarch64]          build if missing (~12 min on 2 cores), print the directory
#   scripts/musl-runtime.sh --path [x86_64|aarch64]   print the directory only if already built (exit 1 otherwise)
#
# Needs Debian packages (scripts/debian-packages.sh installs the missing ones when run as root):
# gcc-12-source, musl and musl-dev of the target architecture, the GMP/MPFR/MPC headers, and for
# aarch64 the cross binutils and kernel headers. Cache: $GENAI_PEERS_CACHE (default
# ~/.cache/genai-otel-bridge/peers)/musl-runtime/, keyed by architecture, the GCC and musl
# package versions and a hash of the recipe; a build gets its .ok marker last.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS_CACHE="${GENAI_PEERS_CACHE:-$HOME/.cache/genai-otel-bridge/peers}"

only_path=0
if [ "${1:-}" = "--path" ]; then
  only_path=1
  shift
fi
arch=${1:-x86_64}
case "$arch" in
  x86_64)
    deb=amd64
    binutils=() # the host's
    kernel_headers=(/usr/include/linux /usr/include/asm-generic /usr/include/x86_64-linux-gnu/asm)
    tool_prefix=""
    ;;
  aarch64)
    deb=arm64
    binutils=(binutils-aarch64-linux-gnu linux-libc-dev-arm64-cross)
    kernel_headers=(/usr/aarch64-linux-gnu/include/linux /usr/aarch64-linux-gnu/include/asm-generic
      /usr/aarch64-linux-gnu/include/asm)
    tool_prefix=aarch64-linux-gnu-
    ;;
  *) echo "usage: musl-runtime.sh [--path] [x86_64|aarch64]" >&2; exit 2 ;;
esac
TARGET=$arch-linux-musl
PKGS=(gcc-12-source "musl:$deb" "musl-dev:$deb" libgmp-dev libmpfr-dev libmpc-dev "${binutils[@]}")

pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
for p in "${PKGS[@]}"; do
  if [ -z "$(pkgver "$p")" ]; then
    [ "$only_path" = 1 ] && exit 1
    bash "$ROOT/scripts/debian-packages.sh" "${PKGS[@]}"
    break
  fi
done

gccver=$(pkgver gcc-12-source)
muslver=$(pkgver "musl:$deb")
# The recipe is everything from step 1 on: edits to the comments above do not force a rebuild.
recipe=$( (echo "$arch"; sed -n '/^# 1\. /,$p' "$0") | sha256sum | cut -c1-8)
dir="$PEERS_CACHE/musl-runtime/$arch-gcc-${gccver//[^A-Za-z0-9.]/_}-musl-${muslver//[^A-Za-z0-9.]/_}-$recipe"

if [ -f "$dir/.ok" ]; then
  echo "$dir"
  exit 0
fi
if [ "$only_path" = 1 ]; then
  exit 1
fi
# One build per architecture at a time (two releases at once would share the work directory);
# whoever waited finds the other's result.
mkdir -p "$PEERS_CACHE/musl-runtime"
exec 9>"$PEERS_CACHE/musl-runtime/.lock-$arch"
flock 9
if [ -f "$dir/.ok" ]; then
  echo "$dir"
  exit 0
fi

work="$PEERS_CACHE/musl-runtime/work-$recipe"
rm -rf "$work" "$dir.tmp"
mkdir -p "$work" "$dir.tmp"
started=$(date +%s)

# 1. A sysroot that looks like an Alpine /usr: musl headers and libraries, Linux UAPI headers.
sysroot="$work/sysroot"
mkdir -p "$sysroot/usr/include" "$sysroot/usr/lib"
cp -a "/usr/include/$TARGET/." "$sysroot/usr/include/"
cp -a "${kernel_headers[@]}" "$sysroot/usr/include/"
cp -a "/usr/lib/$TARGET/." "$sysroot/usr/lib/"
rm -f "$sysroot/usr/lib/musl-gcc.specs"
ln -s lib "$sysroot/usr/lib64"
ln -s usr/lib "$sysroot/lib"
ln -s usr/lib "$sysroot/lib64"

# 2. Binutils for the architecture under the target's names: ELF objects are the same whichever
#    C library they are linked against.
tools="$work/tools"
mkdir -p "$tools"
for t in as ld ar nm ranlib strip objcopy objdump readelf; do
  ln -s "$(command -v "$tool_prefix$t")" "$tools/$TARGET-$t"
done
export PATH="$tools:$PATH"

# 3. GCC from Debian's source package, configured as Alpine configures its system compiler
#    (no symbol versioning, __cxa_atexit, TLS, posix threads), cut down to what the two
#    libraries need.
echo "musl-runtime: unpacking GCC $gccver" >&2
tar -xJf /usr/src/gcc-12/gcc-*.tar.xz -C "$work"
src=$(find "$work" -maxdepth 1 -type d -name 'gcc-*' | head -1)
mkdir -p "$work/build"
cd "$work/build"
echo "musl-runtime: configuring" >&2
"$src/configure" \
  --build=x86_64-linux-gnu --host=x86_64-linux-gnu --target="$TARGET" \
  --prefix="$work/prefix" --with-sysroot="$sysroot" --with-native-system-header-dir=/usr/include \
  --with-as="$tools/$TARGET-as" --with-ld="$tools/$TARGET-ld" \
  --enable-languages=c,c++ --disable-multilib --disable-bootstrap --disable-nls \
  --disable-lto --disable-plugin --disable-libsanitizer --disable-libssp --disable-libgomp \
  --disable-libquadmath --disable-libitm --disable-libvtv --disable-libatomic \
  --disable-libstdcxx-pch --disable-werror --disable-symvers \
  --enable-shared --enable-threads=posix --enable-tls --enable-__cxa_atexit \
  --enable-default-pie --enable-checking=release \
  CFLAGS='-O2 -g0' CXXFLAGS='-O2 -g0' \
  CFLAGS_FOR_TARGET='-O2 -g0' CXXFLAGS_FOR_TARGET='-O2 -g0' >"$work/configure.log" 2>&1 ||
  { tail -30 "$work/configure.log" >&2; exit 1; }

jobs=$(nproc)
echo "musl-runtime: building the cross compiler (make all-gcc, -j$jobs)" >&2
make -j"$jobs" all-gcc >"$work/gcc.log" 2>&1 || { tail -40 "$work/gcc.log" >&2; exit 1; }
echo "musl-runtime: building libgcc and libstdc++" >&2
make -j"$jobs" all-target-libgcc >"$work/libgcc.log" 2>&1 || { tail -40 "$work/libgcc.log" >&2; exit 1; }
make -j"$jobs" all-target-libstdc++-v3 >"$work/libstdcxx.log" 2>&1 || { tail -40 "$work/libstdcxx.log" >&2; exit 1; }

# 4. The root file tree, laid out as on Alpine.
out="$dir.tmp"
mkdir -p "$out/lib" "$out/usr/lib"
cp -L "/usr/lib/$TARGET/libc.so" "$out/lib/libc.musl-$arch.so.1"
ln -s "libc.musl-$arch.so.1" "$out/lib/ld-musl-$arch.so.1"
cp -L "$work/build/$TARGET/libgcc/libgcc_s.so.1" "$out/usr/lib/libgcc_s.so.1"
cp -L "$work/build/$TARGET/libstdc++-v3/src/.libs/libstdc++.so.6" "$out/usr/lib/libstdc++.so.6"
"$tools/$TARGET-strip" --strip-unneeded "$out/usr/lib/libgcc_s.so.1" "$out/usr/lib/libstdc++.so.6"
cat >"$out/BUILD-INFO" <<EOF
libstdc++.so.6 and libgcc_s.so.1 built for $TARGET from Debian gcc-12-source $gccver
musl libc from Debian musl:$deb $muslver
build time: $(($(date +%s) - started)) s
EOF
mv "$out" "$dir"
touch "$dir/.ok"
rm -rf "$work"
echo "$dir"
