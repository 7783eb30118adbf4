#!/usr/bin/env bash
# Gradescope autograder for a ConvLab course:
#
#   scripts/gradescope_bundle.sh COURSE EXERCISES OUT.zip      (make gradescope-bundle COURSE=… EXERCISES=… OUT=…)
#
# builds a self-contained convlab (Swift runtime linked statically, stripped, DT_RPATH $ORIGIN/lib)
# with OpenBLAS and its Fortran runtime in lib/ beside it, as scripts/gpu_bundle.sh does, and then
# runs `convlab exercise gradescope COURSE --exercises EXERCISES --binary … --out OUT.zip`.
# Gradescope's Ubuntu image needs nothing else: setup.sh installs no package.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 COURSE EXERCISES OUT.zip (EXERCISES comma-separated)" >&2; exit 2; }
course=$1 exercises=$2 out=$3
cd "$(dirname "$0")/.."
scratch=.build-static
stage=build/gradescope
swift build -c release --product convlab --scratch-path "$scratch" --static-swift-stdlib \
  -Xlinker --disable-new-dtags -Xlinker -rpath -Xlinker '$ORIGIN/lib'
bin="$scratch/release/convlab"
rm -rf "$stage" && mkdir -p "$stage/lib"
cp "$bin" "$stage/convlab" && strip "$stage/convlab"
for lib in libopenblas.so.0 libgfortran.so.5 libquadmath.so.0; do
  path=$(ldd "$bin" | awk -v l="$lib" '$1 == l { print $3 }')
  [ -n "$path" ] || { echo "gradescope-bundle: $lib not found by ldd" >&2; exit 1; }
  cp -L "$path" "$stage/lib/$lib"
done
# Every dependency must resolve inside the bundle or to glibc/libstdc++/zlib, which Ubuntu has.
missing=$(env -i LD_LIBRARY_PATH= ldd "$stage/convlab" | awk '$3 ~ /^\// && $3 !~ /gradescope\/lib\// { print $1 }' \
  | grep -vE '^(libc|libm|libz|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so' || true)
[ -z "$missing" ] || { echo "gradescope-bundle: resolved outside the bundle: $missing" >&2; exit 1; }
"$stage/convlab" exercise gradescope "$course" --exercises "$exercises" --binary "$stage/convlab" --out "$out"
