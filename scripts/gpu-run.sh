#!/usr/bin/env bash
# Every GPU check and benchmark of ConvLab in one call, for a lent GPU machine (the device tool
# gives a session 30 minutes, 10 per call): unpack build/convlab-gpu.tar.xz there and run
#     OUT=/some/dir bash convlab-gpu/gpu-run.sh [steps…]
# Steps (default: all, in this order): smoke check bench train. Each step has its own time
# limit so that one hang cannot eat the call; results (text and JSON) go to $OUT.
set -u
cd "$(dirname "$0")"
OUT=${OUT:-out}
mkdir -p "$OUT"
export OUT
export CONVLAB_CACHE_DIR="$OUT/cache"
steps=${*:-smoke check bench train}
# (check also runs `check training`: LeNet-5 SGD steps on the GPU vs the CPU, Float64 and Float32)
started=$SECONDS
step() { echo; echo "== [$((SECONDS - started)) s] $*"; }
run() {  # run LIMIT LOG command…: stdout+stderr to $OUT/LOG, status and the tail printed
  local limit=$1 log=$2; shift 2
  timeout "$limit" "$@" > "$OUT/$log" 2>&1; local rc=$?
  echo "rc=$rc ($log)"; tail -n 12 "$OUT/$log"
  return $rc
}

for s in $steps; do case $s in
smoke)
  step "nvidia-smi, info, one block"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$OUT/nvidia-smi.txt" 2>&1; cat "$OUT/nvidia-smi.txt"
  run 60 info.txt ./convlab info
  run 60 check-conv.txt ./convlab check conv --path cuda --cases 3 ;;
check)
  step "check all --path cuda"
  run 240 check-cuda.txt ./convlab check all --path cuda --cases 20
  run 200 check-training.txt ./convlab check training --path cuda --steps 500 ;;
bench)
  # The GPU's speed drifts between runs a minute apart, so ConvLab and PyTorch alternate over
  # three rounds and the ratios compare medians over the rounds.
  step "bench: ConvLab (--device cuda) and PyTorch/cuDNN, 3 alternating rounds, strict FP32"
  for k in 1 2 3; do
    profile=""; [ "$k" = 1 ] && profile="--profile"
    run 150 "bench-cuda-$k.log" bash -c "./convlab bench --device cuda --json $profile > \"\$OUT/bench-cuda-$k.json\""
    run 150 "torch-$k.log" python3 Benchmarks/torch_conv.py --out "$OUT/torch-$k.json"
  done
  run 30 ratios.txt python3 Benchmarks/torch_conv.py --convlab "$OUT"/bench-cuda-{1,2,3}.json --torch "$OUT"/torch-{1,2,3}.json
  step "bench: the same with TF32 on both sides (one round; never the default)"
  run 150 bench-cuda-tf32.log bash -c './convlab bench --device cuda --tf32 --json > "$OUT/bench-cuda-tf32.json"'
  run 150 ratios-tf32.txt python3 Benchmarks/torch_conv.py --tf32 --convlab "$OUT/bench-cuda-tf32.json" --out "$OUT/torch-tf32.json" ;;
train)
  step "LeNet-5, 3 epochs on the bundled subset at η 0.02: GPU and CPU curves (same seed)"
  for device in cuda cpu; do
    run 200 "train-$device.txt" ./convlab train --net lenet5 --data data --validation 2000 --epochs 3 --lr 0.02 --device "$device" --out "$OUT/train-$device"
  done ;;
*) echo "unknown step $s (smoke check bench train)"; exit 2 ;;
esac; done
step done
