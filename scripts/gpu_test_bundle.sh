#!/usr/bin/env bash
# make gpu-test-bundle: the test suite for a GPU machine without Swift, so that the "On the GPU"
# tests (skipped where there is no GPU) run under Swift Testing where there is one.
#
#   build/convlab-gpu-tests.tar.xz (≈25 MB)
#     convlab-gpu-tests/ConvLabPackageTests.xctest   the release test binary, stripped
#     convlab-gpu-tests/*.resources                  package resources, if any (kernel sources are in the binary)
#     convlab-gpu-tests/lib/                         every shared library it needs beyond glibc,
#                                                    libstdc++ and zlib: the Swift runtime,
#                                                    Foundation, Swift Testing, XCTest, OpenBLAS
#     convlab-gpu-tests/run.sh                       runs the CUDA test target (or what "$@" filters)
#
# On the GPU machine: tar xJf convlab-gpu-tests.tar.xz && bash convlab-gpu-tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --build-tests
binary=.build/release/ConvLabPackageTests.xctest
stage=build/convlab-gpu-tests
rm -rf "$stage" && mkdir -p "$stage/lib"
cp "$binary" "$stage/" && strip "$stage/ConvLabPackageTests.xctest"
for r in .build/release/*.resources; do [ ! -e "$r" ] || cp -R "$r" "$stage/"; done
ldd "$binary" | awk '$3 ~ /^\// { print $3 }' | grep -vE '/(libc|libm|libz|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so' \
  | while read -r lib; do cp -L "$lib" "$stage/lib/"; done
cat > "$stage/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs ConvLab's CUDA tests (Swift Testing) with the bundled libraries; arguments replace the filter.
cd "$(dirname "$0")"
export LD_LIBRARY_PATH="$PWD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec ./ConvLabPackageTests.xctest --testing-library swift-testing --filter "${@:-ConvLabCUDATests}"
RUN
missing=$(env -i LD_LIBRARY_PATH="$stage/lib" ldd "$stage/ConvLabPackageTests.xctest" | awk '$3 ~ /^\// && $3 !~ /convlab-gpu-tests\/lib\// { print $1 }' \
  | grep -vE '^(libc|libm|libz|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so' || true)
[ -z "$missing" ] || { echo "gpu-test-bundle: resolved outside the bundle: $missing" >&2; exit 1; }
tar -C build -cJf build/convlab-gpu-tests.tar.xz convlab-gpu-tests
ls -l build/convlab-gpu-tests.tar.xz
