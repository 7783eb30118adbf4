#!/usr/bin/env bash
# The raw runs in this folder: ConvLab against PyTorch on the CPU, side by side (interleaved
# rounds), on a shared 2-core machine while other jobs ran. Usage, from the repository root after
# `swift build -c release --product convlab`:  bash Benchmarks/results/2026-12-02-perf/run.sh RUN
set -euo pipefail
out=Benchmarks/results/2026-12-02-perf
run=${1:?run number}
{ date -u; uptime; python3 -c "import torch; print('torch', torch.__version__, 'mkldnn', torch.backends.mkldnn.is_available())"; } > "$out/torch-$run.txt"
.build/release/convlab bench torch --rounds 3 >> "$out/torch-$run.txt" 2>&1
