#!/usr/bin/env bash
# A short guided tour of ConvLab with real output (called by `make demo`).
set -euo pipefail
bin=${1:-.build/release/convlab}
step() { printf '\n\033[1m$ %s\033[0m\n' "$*" | sed 's/\x1b\[[0-9;]*m//g'; "$@"; }
echo "ConvLab tour — every number below is computed now, on this machine."
step "$bin" info
step "$bin" notation up --n 2
step "$bin" notation rot180
step "$bin" notation kronforms
step "$bin" lenet
step "$bin" geometry "conv 5x5; pool 2x2 stride 2; conv 5x5; pool 2x2 stride 2; conv 5x5" --input 32x32
step "$bin" jacobian conv --x 4x4 --k 2x2 --stride 2
step "$bin" jacobian pool --x 4x4 --pool-size 2 --stride 2 --method max
step "$bin" jacobian conv --x 3x4 --k 2x2 --pad 1 --stride 1,2 --symbolic --wrt w
step "$bin" check all --cases 3
step "$bin" check net
step "$bin" derive xu-avgpool --all
step "$bin" audit --paper Murugan
tour_run=$(mktemp -d)
step "$bin" train --net lenet5 --subset 3000 --epochs 2 --test-subset 2000 --out "$tour_run/lenet5" --plot
# A classroom exercise: a packet for one student, an answer with a planted mistake, the diagnosis.
step "$bin" exercise new conv-backward --student ada --course "$tour_run/course" --out "$tour_run/packet"
"$bin" block conv $(python3 -c "import json;o=json.load(open('$tour_run/packet/exercise.json'))['parts'][0]['options'];print(' '.join('--%s %s'%kv for kv in sorted(o.items())))") \
  --x "$tour_run/packet/x.npy" --w "$tour_run/packet/w.npy" --b "$tour_run/packet/b.npy" --dzdy "$tour_run/packet/dzdy.npy" --out "$tour_run/answers" >/dev/null
# The student forgets that dz/db sums over positions: only the first position's dz/dy is kept.
rm "$tour_run/answers/dzdb.npy"
python3 -c "r=open('$tour_run/packet/dzdy.csv').readline().strip().split(',');w=len(r)//2;open('$tour_run/answers/dzdb.csv','w').write(r[0]+'\\n'+r[w]+'\\n')"
step "$bin" exercise check "$tour_run/packet" "$tour_run/answers"
rm -rf "$tour_run"
echo
echo "Next: make figures (Figures/), convlab train --net lenet5 --epochs 10 (≥ 89% for seeds 1–5: make reproduce),"
echo "convlab net check --net lenet5 --input 28x28, convlab experiment milisavljevic, convlab derive --list,"
echo "convlab audit, convlab exercise list. Guides: README.md and Docs/."
