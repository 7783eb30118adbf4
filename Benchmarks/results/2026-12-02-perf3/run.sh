#!/usr/bin/env bash
# The raw runs in this folder: ConvLab against PyTorch 2.15 (oneDNN, AVX-512) on the CPU, side by
# side (interleaved rounds), on the shared 2-core machine while other jobs ran (uptime in each file).
# Usage, from the repository root after `swift build -c release --product convlab`:
#   bash Benchmarks/results/2026-12-02-perf3/run.sh NAME     (torch-NAME.txt)
#   bash Benchmarks/results/2026-12-02-perf3/run.sh sgemm    (sgemm-isa.txt, the micro-kernel alone)
set -euo pipefail
out=Benchmarks/results/2026-12-02-perf3
run=${1:?run name}
if [ "$run" != sgemm ]; then
  { date -u; uptime; git log --oneline -1; python3 -c "import torch; print('torch', torch.__version__, 'mkldnn', torch.backends.mkldnn.is_available())"; } > "$out/torch-$run.txt"
  .build/release/convlab bench torch --rounds 3 >> "$out/torch-$run.txt" 2>&1
  uptime >> "$out/torch-$run.txt"
fi
# The micro-kernel alone (`run.sh sgemm`): AVX2 against AVX-512 tile on one core.
if [ "$run" = sgemm ]; then
  cc -O2 -ISources/CConvLabSupport/include Sources/CConvLabSupport/sgemm.c Sources/CConvLabSupport/cpu.c "$out/sgemm_isa.c" -o /tmp/convlab-sgemm-isa
  { date -u; uptime; for s in "256 576 64" "256 150 16" "32 1152 128"; do /tmp/convlab-sgemm-isa $s; done; } > "$out/sgemm-isa.txt"
fi
