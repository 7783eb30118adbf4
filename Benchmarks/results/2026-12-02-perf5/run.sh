#!/usr/bin/env bash
# ConvLab against PyTorch 2.15 (oneDNN, AVX2: this machine has no AVX-512) on the CPU, side by side (interleaved rounds), on
# the 2-core development machine with no other job running (uptime before and after in each file).
# Usage, from the repository root after `swift build -c release --product convlab`:
#   bash Benchmarks/results/2026-12-02-perf5/run.sh NAME      (writes torch-NAME.txt)
set -euo pipefail
out=Benchmarks/results/2026-12-02-perf5
run=${1:?run name}
{ date -u; uptime; git log --oneline -1; python3 -c "import torch; print('torch', torch.__version__, 'mkldnn', torch.backends.mkldnn.is_available())"; } > "$out/torch-$run.txt"
.build/release/convlab bench torch --rounds 3 >> "$out/torch-$run.txt" 2>&1
uptime >> "$out/torch-$run.txt"
