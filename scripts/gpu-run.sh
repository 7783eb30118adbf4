#!/usr/bin/env bash
# Every GPU check and benchmark of ConvLab in one call, for a lent GPU machine (the device tool
# gives a session 30 minutes): unpack build/convlab-gpu.tar.xz there and run
#     OUT=/some/dir bash convlab-gpu/gpu-run.sh
# Results (text and JSON) go to $OUT; a summary is printed at the end.
set -u
cd "$(dirname "$0")"
OUT=${OUT:-out}
mkdir -p "$OUT"
step() { echo "== $*"; }

step info;            ./convlab info > "$OUT/info.txt" 2>&1; cat "$OUT/info.txt"
step "check all --path cuda"
./convlab check all --path cuda --cases 20 > "$OUT/check-cuda.txt" 2>&1; echo "rc=$?"; tail -3 "$OUT/check-cuda.txt"
step "bench --device cuda"
./convlab bench --device cuda --json > "$OUT/bench-cuda.json" 2> "$OUT/bench-cuda.log"; echo "rc=$?"
./convlab bench --device cuda --tf32 --json > "$OUT/bench-cuda-tf32.json" 2>> "$OUT/bench-cuda.log"
step "PyTorch/cuDNN on the same shapes, and the ratios"
python3 Benchmarks/torch_conv.py > "$OUT/torch.json" 2> "$OUT/torch.log"
python3 Benchmarks/torch_conv.py --tf32 > "$OUT/torch-tf32.json" 2>> "$OUT/torch.log"
python3 Benchmarks/torch_conv.py --convlab "$OUT/bench-cuda.json" > "$OUT/ratios.txt" 2>> "$OUT/torch.log"; cat "$OUT/ratios.txt"
step "LeNet-5, 3 epochs on 8 000 images: GPU and CPU curves (same seed)"
for device in cuda cpu; do
  ./convlab train --net lenet5 --data data --validation 2000 --epochs 3 --device "$device" --out "$OUT/train-$device" \
    > "$OUT/train-$device.txt" 2>&1
  grep -E "^epoch [0-9]+/[0-9]+  lr|test accuracy" "$OUT/train-$device.txt"
done
