#!/usr/bin/env bash
# Runs the full suite N times in a row (default 10) while a second copy of the
# suite runs alongside in a loop, as on a loaded machine, and prints how many
# runs passed and failed. Exit status: 0 only if every measured run passed.
#
#   scripts/stress-tests.sh [N]          e.g. scripts/stress-tests.sh 10
#
# Logs of failed runs are kept in $STRESS_LOG_DIR (default: a temp directory).
# The store tests isolate themselves in a random PostgreSQL schema, so the two
# copies do not share state.
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N]  (N = number of measured runs, a positive integer; default 10)" >&2
  exit 2
fi
logs="${STRESS_LOG_DIR:-$(mktemp -d -t callops-stress.XXXXXX)}"
mkdir -p "$logs"

# The load: the same suite in a loop until the measured runs are over.
(
  i=0
  while :; do
    i=$((i + 1))
    if CI= npx vitest run >"$logs/load-$i.running" 2>&1; then rm -f "$logs/load-$i.running"; else mv "$logs/load-$i.running" "$logs/load-$i.failed"; fi
  done
) &
load=$!
trap 'kill "$load" 2>/dev/null; wait "$load" 2>/dev/null' EXIT INT TERM

passed=0
failed=0
start=$(date +%s)
for i in $(seq 1 "$runs"); do
  t0=$(date +%s)
  if CI= npx vitest run >"$logs/run-$i.log" 2>&1; then
    passed=$((passed + 1))
    echo "run $i/$runs: pass ($(( $(date +%s) - t0 )) s)"
    rm -f "$logs/run-$i.log"
  else
    failed=$((failed + 1))
    echo "run $i/$runs: FAIL ($(( $(date +%s) - t0 )) s), log: $logs/run-$i.log"
    sed 's/\x1b\[[0-9;]*m//g' "$logs/run-$i.log" | grep -E '^ +(FAIL|×)' | head -n 10
  fi
done

kill "$load" 2>/dev/null
wait "$load" 2>/dev/null
trap - EXIT INT TERM
rm -f "$logs"/load-*.running # the run cut short by the end of the measurement
load_failed=$(ls "$logs"/load-*.failed 2>/dev/null | wc -l)
echo "stress: $passed passed, $failed failed of $runs runs in $(( $(date +%s) - start )) s, with a second copy of the suite running alongside (its failed runs: $load_failed, logs in $logs)"
[ "$failed" -eq 0 ]
