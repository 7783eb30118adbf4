#!/usr/bin/env bash
# Runs libFuzzer targets: Fuzz/run.sh SECONDS PARALLEL TARGET...
# Each target starts from its committed seeds (Fuzz/corpus/TARGET, never written to) and a
# working corpus in .build-fuzz/corpus/TARGET; crashes land in .build-fuzz/artifacts/.
# Prints one line per target (executions, exec/s, coverage, crashes) and exits non-zero when a
# target crashed, leaked, hung or ran out of memory.
set -u
seconds=$1; parallel=$2; shift 2
bin=.build-fuzz/debug/convlab-fuzz
logs=.build-fuzz/logs
mkdir -p "$logs" .build-fuzz/artifacts
[ -x "$bin" ] || { echo "fuzz: $bin is missing; run 'make fuzz-build' first" >&2; exit 2; }

run_one() {
  local t=$1
  mkdir -p ".build-fuzz/corpus/$t"
  # SWIFT_BACKTRACE=enable=no: Swift's backtracer hangs under ASan instead of reporting.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 nice -n 19 "$bin" "$t" ".build-fuzz/corpus/$t" "Fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=".build-fuzz/artifacts/$t-" >"$logs/$t.log" 2>&1
  echo $? >"$logs/$t.rc"
}

running=0
for t in "$@"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait

status=0
printf '%-14s %10s %9s %6s %7s %8s  %s\n' target seconds executions exec/s cov features crashes
for t in "$@"; do
  log="$logs/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  crashes=$(grep -c 'Test unit written to' "$log" || true)
  rc=$(cat "$logs/$t.rc" 2>/dev/null || echo '?')
  printf '%-14s %10s %9s %6s %7s %8s  %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
  if [ "$rc" != 0 ]; then
    status=1
    echo "  $t failed (exit $rc); see $log:" >&2
    grep -m3 -E 'ERROR|Fatal|fatal error|escaped|SUMMARY' "$log" | sed 's/^/    /' >&2
  fi
done
exit $status
