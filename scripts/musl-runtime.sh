#!/usr/bin/env bash
# Build the C++ runtime a musl Bun binary links against (libstdc++.so.6 and libgcc_s.so.1, as
# Alpine ships them) so `npm run release` can run the x64 musl build on a glibc machine.
#
# The x64-musl release binary needs libc.musl-x86_64.so.1 and libstdc++.so.6 (which needs
# libgcc_s.so.1). Debian ships musl's libc and loader but no C++ runtime built for musl, and the
# glibc libstdc++ does not load on musl (it calls glibc-only symbols). So this script builds GCC's
# target libraries for x86_64-linux-musl from Debian's own GCC source package, the way Alpine
# does: a cross gcc (C and C++ only, host binutils), then libgcc and libstdc++-v3. It prints a
# directory holding a root file tree:
#
#   lib/ld-musl-x86_64.so.1 -> libc.musl-x86_64.so.1, lib/libc.musl-x86_64.so.1 (from Debian musl)
#   usr/lib/libstdc++.so.6, usr/lib/libgcc_s.so.1           (built here)
#
#   scripts/musl-runtime.sh           build if missing (~12 min on 2 cores), print the directory
#   scripts/musl-runtime.sh --path    print the directory only if already built (exit 1 otherwise)
#
# Needs (Debian packages, installed when missing and running as root): gcc-12-source musl
# musl-dev libgmp-dev libmpfr-dev libmpc-dev, plus the host gcc/g++/binutils/make/xz.
# Cache: $GENAI_PEERS_CACHE (default ~/.cache/genai-otel-bridge/peers)/musl-runtime/, keyed by
# the GCC and musl package versions and a hash of the recipe; a build gets its .ok marker last.
set -euo pipefail

PEERS_CACHE="${GENAI_PEERS_CACHE:-$HOME/.cache/genai-otel-bridge/peers}"
PKGS=(gcc-12-source musl musl-dev libgmp-dev libmpfr-dev libmpc-dev)
TARGET=x86_64-linux-musl

only_path=0
if [ "${1:-}" = "--path" ]; then
  only_path=1
fi

pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

missing=()
for p in "${PKGS[@]}"; do
  [ -n "$(pkgver "$p")" ] || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$only_path" = 1 ]; then exit 1; fi
  if [ "$(id -u)" != 0 ]; then
    echo "musl-runtime: missing Debian packages: ${missing[*]} (install them, or run as root)" >&2
    exit 1
  fi
  echo "musl-runtime: installing ${missing[*]}" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2
fi

gccver=$(pkgver gcc-12-source)
muslver=$(pkgver musl)
# The recipe is everything from step 1 on: edits to the comments above do not force a rebuild.
recipe=$(sed -n '/^# 1\. /,$p' "$0" | sha256sum | cut -c1-8)
dir="$PEERS_CACHE/musl-runtime/gcc-${gccver//[^A-Za-z0-9.]/_}-musl-${muslver//[^A-Za-z0-9.]/_}-$recipe"

if [ -f "$dir/.ok" ]; then
  echo "$dir"
  exit 0
fi
if [ "$only_path" = 1 ]; then
  exit 1
fi

work="$PEERS_CACHE/musl-runtime/work-$recipe"
rm -rf "$work" "$dir.tmp"
mkdir -p "$work" "$dir.tmp"
started=$(date +%s)

# 1. A sysroot that looks like an Alpine /usr: musl headers and libraries, Linux UAPI headers.
sysroot="$work/sysroot"
mkdir -p "$sysroot/usr/include" "$sysroot/usr/lib"
cp -a /usr/include/x86_64-linux-musl/. "$sysroot/usr/include/"
cp -a /usr/include/linux /usr/include/asm-generic "$sysroot/usr/include/"
cp -a /usr/include/x86_64-linux-gnu/asm "$sysroot/usr/include/asm"
cp -a /usr/lib/x86_64-linux-musl/. "$sysroot/usr/lib/"
rm -f "$sysroot/usr/lib/musl-gcc.specs"
ln -s lib "$sysroot/usr/lib64"
ln -s usr/lib "$sysroot/lib"
ln -s usr/lib "$sysroot/lib64"

# 2. Host binutils under the target's names: x86-64 ELF is the same for both C libraries.
tools="$work/tools"
mkdir -p "$tools"
for t in as ld ar nm ranlib strip objcopy objdump readelf; do
  ln -s "$(command -v "$t")" "$tools/$TARGET-$t"
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
cp -L /usr/lib/x86_64-linux-musl/libc.so "$out/lib/libc.musl-x86_64.so.1"
ln -s libc.musl-x86_64.so.1 "$out/lib/ld-musl-x86_64.so.1"
cp -L "$work/build/$TARGET/libgcc/libgcc_s.so.1" "$out/usr/lib/libgcc_s.so.1"
cp -L "$work/build/$TARGET/libstdc++-v3/src/.libs/libstdc++.so.6" "$out/usr/lib/libstdc++.so.6"
strip --strip-unneeded "$out/usr/lib/libgcc_s.so.1" "$out/usr/lib/libstdc++.so.6"
cat >"$out/BUILD-INFO" <<EOF
libstdc++.so.6 and libgcc_s.so.1 built for $TARGET from Debian gcc-12-source $gccver
musl libc from Debian musl $muslver
build time: $(($(date +%s) - started)) s
EOF
mv "$out" "$dir"
touch "$dir/.ok"
rm -rf "$work"
echo "$dir"
