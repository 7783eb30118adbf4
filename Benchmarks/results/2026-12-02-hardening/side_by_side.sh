#!/usr/bin/env bash
# Side-by-side timing of the fast path before (BASE, the commit before this wave: 3887896) and
# after the hardening wave (NEW), alternating in one run so the machine's noise hits both alike.
# Usage: side_by_side.sh BASE_BIN NEW_BIN [ROUNDS]
set -euo pipefail
base=$1 new=$2 rounds=${3:-3}
median() { grep -o '"median_ms" *: *[0-9.]*' | head -1 | grep -o '[0-9.]*$'; }
lenet() { "$1" bench lenet 2>/dev/null | awk '/lenet5-train- fast/ { print $(NF) }'; }
echo "round binary  lenet5-step-ms  milisavljevic-fwd-blocked-ms  milisavljevic-fwd+bwd-gemm-ms  c3-fwd+bwd-ms"
for r in $(seq 1 "$rounds"); do
  for which in base new; do
    bin=$base; [ "$which" = new ] && bin=$new
    l=$(lenet "$bin")
    f=$("$bin" bench conv --shape 100,14,14,64,64,3,3,1,1 --path blocked --json | median)
    b=$("$bin" bench conv --shape 100,14,14,64,64,3,3,1,1 --path gemm --backward --json | median)
    c=$("$bin" bench conv --shape 64,14,14,6,16,5,5,1,0 --backward --json | median)
    echo "$r     $which    $l  $f  $b  $c"
  done
done
