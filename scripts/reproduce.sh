#!/usr/bin/env bash
# `make reproduce`: runs the exact commands behind every training accuracy that README.md and
# Docs/training-and-figures.md state, one after another, and summarizes them.
#
#   scripts/reproduce.sh [BIN]          BIN defaults to .build/release/convlab
#   ONLY=lenet5|milisavljevic|all       which group (default all; lenet5 ≈ 3 min on 2 idle
#                                       cores, milisavljevic ≈ 1 h)
#   SEEDS="1 2 3 4 5"                   the LeNet-5 seeds, in this order
#   MSEEDS="1 2 3 4 5"                  the seeds of the Milisavljevic 25-epoch row (the 91% claim;
#                                       the 10-, 15- and 18-epoch rows run seed 1)
#   RUNS=runs/reproduce                 one run folder per command (+ NAME.log, NAME.wall)
#   RESULTS=Benchmarks/results/DATE-reproduce   where metrics.csv, result.json, train.log and
#                                       summary.md are copied
#
# A finished run (result.json present) is reused, an interrupted one resumed from its checkpoint
# (bit-identical to an uninterrupted run), so the target can be stopped and started again.
set -euo pipefail

bin=${1:-.build/release/convlab}
runs=${RUNS:-runs/reproduce}
results=${RESULTS:-Benchmarks/results/$(date -u +%F)-reproduce}
only=${ONLY:-all}
seeds=${SEEDS:-1 2 3 4 5}
mseeds=${MSEEDS:-1 2 3 4 5}

case "$only" in lenet5 | milisavljevic | all) ;; *)
  echo "reproduce: ONLY=$only is not one of lenet5, milisavljevic, all" >&2
  exit 2
  ;;
esac
if [ ! -x "$bin" ]; then
  echo "reproduce: $bin is not an executable; build it first (make build)" >&2
  exit 2
fi

# NAME|arguments of convlab train. The LeNet-5 recipe is the default one (batch 64, lr 0.05,
# one epoch of linear warm-up, cosine, momentum 0.9, weight decay 5e-4); --log-steps only writes
# steps.csv (every step's loss, rate and gradient norm) beside the run. The Milisavljevic rows
# were measured before the warm-up existed, so they say --warmup 0.
jobs=()
if [ "$only" != milisavljevic ]; then
  for k in $seeds; do jobs+=("lenet5-seed$k|--net lenet5 --epochs 10 --seed $k --log-steps"); done
fi
if [ "$only" != lenet5 ]; then
  m="--net milisavljevic-max --batch 100 --lr 0.02 --warmup 0"
  jobs+=("milisavljevic-max-10ep-seed1|$m --seed 1 --epochs 10")
  jobs+=("milisavljevic-max-15ep-seed1|$m --seed 1 --epochs 15")
  jobs+=("milisavljevic-max-18ep-flip-seed1|$m --seed 1 --epochs 18 --flip")
  for k in $mseeds; do jobs+=("milisavljevic-max-25ep-flip-seed$k|$m --seed $k --epochs 25 --flip"); done
fi

mkdir -p "$runs" "$results"
for job in "${jobs[@]}"; do
  name=${job%%|*}
  args=${job#*|}
  folder="$runs/$name"
  if [ -f "$folder/result.json" ]; then
    echo "== $name: finished before, reusing $folder"
  else
    resume=""
    [ -f "$folder/checkpoint.bin" ] && resume="--resume"
    echo "== $name: convlab train $args $resume"
    start=$(date +%s)
    # shellcheck disable=SC2086 # the arguments are words on purpose
    "$bin" train $args --out "$folder" $resume | tee -a "$runs/$name.log"
    # Wall time of this invocation (data loading, every epoch, the test); a resumed run adds up.
    previous=$(cat "$runs/$name.wall" 2>/dev/null || echo 0)
    echo $((previous + $(date +%s) - start)) >"$runs/$name.wall.tmp" && mv "$runs/$name.wall.tmp" "$runs/$name.wall"
  fi
  mkdir -p "$results/$name"
  cp "$folder/metrics.csv" "$folder/result.json" "$results/$name/"
  cp "$runs/$name.log" "$results/$name/train.log" 2>/dev/null || true
  cp "$runs/$name.wall" "$results/$name/wall_seconds" 2>/dev/null || true
  echo "convlab train $args" >"$results/$name/command"
done

python3 - "$results" "${jobs[@]}" <<'EOF'
import csv, json, os, statistics, sys

results, jobs = sys.argv[1], [j.split("|")[0] for j in sys.argv[2:]]
rows, lenet, mili = [], [], []
for name in jobs:
    folder = os.path.join(results, name)
    r = json.load(open(os.path.join(folder, "result.json")))
    metrics = list(csv.DictReader(open(os.path.join(folder, "metrics.csv"))))
    # The first epoch whose validation accuracy reaches 89% (the test set is used once, at the end).
    hit = next((m for m in metrics if float(m["validation_accuracy"]) >= 0.89), None)
    wall = open(os.path.join(folder, "wall_seconds")).read().strip() if os.path.exists(os.path.join(folder, "wall_seconds")) else "?"
    seed = name.rsplit("seed", 1)[1]
    rows.append((name, seed, 100 * r["testAccuracy"], 100 * r["bestValidationAccuracy"], r["bestEpoch"],
                 f'{hit["epoch"]} ({float(hit["elapsed_seconds"]):.0f} s)' if hit else "never", wall))
    if name.startswith("lenet5-"):
        lenet.append(100 * r["testAccuracy"])
    if name.startswith("milisavljevic-max-25ep-flip-"):
        mili.append(100 * r["testAccuracy"])

lines = ["| run | seed | test accuracy | best validation (epoch) | validation ≥ 89% at epoch (training time) | wall time |",
         "| --- | ---: | ---: | ---: | ---: | ---: |"]
for name, seed, test, val, best, hit, wall in rows:
    lines.append(f"| {name} | {seed} | {test:.2f}% | {val:.2f}% ({best}) | {hit} | {wall} s |")
if len(lenet) > 1:
    lines.append("")
    lines.append(f"LeNet-5 over {len(lenet)} seeds: mean {statistics.mean(lenet):.2f}%, "
                 f"min {min(lenet):.2f}%, max {max(lenet):.2f}%, spread {max(lenet) - min(lenet):.2f} points, "
                 f"standard deviation {statistics.stdev(lenet):.2f} points")
if len(mili) > 1:
    lines.append("")
    lines.append(f"Milisavljevic max-pool, 25 epochs with mirroring, over {len(mili)} seeds: mean {statistics.mean(mili):.2f}%, "
                 f"min {min(mili):.2f}%, max {max(mili):.2f}%, spread {max(mili) - min(mili):.2f} points")
text = "\n".join(lines) + "\n"
print("\n" + text)
tmp = os.path.join(results, "summary.md.tmp")
open(tmp, "w").write(text)
os.replace(tmp, os.path.join(results, "summary.md"))
print(f"saved: {results}/summary.md and one folder per run")
EOF
