#!/usr/bin/env bash
# make gpu-bundle: one tarball that runs ConvLab on a GPU machine without Swift or OpenBLAS
# (the lent H100 runs Ubuntu 24.04 with the NVIDIA driver, NVRTC and cuBLAS, nothing else we need).
#
#   build/convlab-gpu.tar.xz
#     convlab-gpu/convlab                 release binary, Swift runtime linked statically, stripped,
#                                         DT_RPATH $ORIGIN/lib (not RUNPATH: RPATH also serves
#                                         libopenblas's own dependency on libgfortran)
#     convlab-gpu/*.resources             package resources, if any (the kernel sources are in the binary)
#     convlab-gpu/lib/                    libopenblas.so.0 and its Fortran runtime (libgfortran, libquadmath)
#     convlab-gpu/data/                   a Fashion-MNIST subset (10 000 training, 2 000 test images) as IDX
#     convlab-gpu/Benchmarks/torch_conv.py, lenet.py
#     convlab-gpu/gpu-run.sh              every GPU check and benchmark in one call, results under $OUT
#
# No CUDA library is bundled: convlab loads the machine's libcuda, NVRTC and cuBLAS with dlopen.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-static
stage=build/convlab-gpu
swift build -c release --product convlab --scratch-path "$scratch" --static-swift-stdlib \
  -Xlinker --disable-new-dtags -Xlinker -rpath -Xlinker '$ORIGIN/lib'
bin="$scratch/release/convlab"
rm -rf "$stage" && mkdir -p "$stage/lib" "$stage/Benchmarks" "$stage/data"
cp "$bin" "$stage/convlab" && strip "$stage/convlab"
for r in "$scratch"/release/*.resources; do [ ! -e "$r" ] || cp -R "$r" "$stage/"; done
# Every shared library the binary needs that a bare Ubuntu does not have.
for lib in libopenblas.so.0 libgfortran.so.5 libquadmath.so.0; do
  path=$(ldd "$bin" | awk -v l="$lib" '$1 == l { print $3 }')
  [ -n "$path" ] || { echo "gpu-bundle: $lib not found by ldd" >&2; exit 1; }
  cp -L "$path" "$stage/lib/$lib"
done
python3 scripts/idx_subset.py /usr/share/datasets/fashion-mnist "$stage/data" 10000 2000
cp Benchmarks/torch_conv.py Benchmarks/lenet.py Benchmarks/cublas_shapes.py "$stage/Benchmarks/"
cp scripts/gpu-run.sh "$stage/gpu-run.sh"
# The bundle must not lean on this machine's libraries: every dependency resolves inside it or
# to glibc/libstdc++/zlib, which every Ubuntu has.
missing=$(env -i LD_LIBRARY_PATH= ldd "$stage/convlab" | awk '$3 ~ /^\// && $3 !~ /convlab-gpu\/lib\// { print $1 }' \
  | grep -vE '^(libc|libm|libz|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so' || true)
[ -z "$missing" ] || { echo "gpu-bundle: resolved outside the bundle: $missing" >&2; exit 1; }
tar -C build -cJf build/convlab-gpu.tar.xz convlab-gpu
ls -l build/convlab-gpu.tar.xz
