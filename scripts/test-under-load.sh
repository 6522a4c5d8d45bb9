#!/usr/bin/env bash
# The whole test suite, run again and again while another process keeps both cores busy: what CI's busy
# two-core machine does to timing, made worse on purpose. Stops at the first failing run.
#
#   scripts/test-under-load.sh [RUNS] [LOAD]     defaults: 10 runs, each core kept 50 % busy
#
# The load is `stress-ng --cpu <cores> --cpu-load LOAD` (installed with apt-get when missing), started
# before the first run and stopped after the last. Each run is `scripts/test.sh`, its output in
# .build/test-under-load/run-<n>.log; one line per run (status, seconds, the test count, the load
# average) is printed and kept in .build/test-under-load/summary.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
load=${2:-50}
if ! command -v stress-ng >/dev/null; then
    if [[ $(id -u) == 0 ]]; then apt-get update -qq && apt-get install -y -qq stress-ng >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq stress-ng >/dev/null; fi
fi
out=.build/test-under-load
mkdir -p "$out"
stress-ng --cpu "$(nproc)" --cpu-load "$load" --quiet &
stress=$!
trap 'kill $stress 2>/dev/null' EXIT
echo "commit $(git rev-parse --short HEAD); load: stress-ng --cpu $(nproc) --cpu-load $load" | tee "$out/summary.txt"
for run in $(seq 1 "$runs"); do
    start=$(date +%s)
    bash scripts/test.sh >"$out/run-$run.log" 2>&1
    status=$?
    tests=$(grep -Eo "Test run with [0-9]+ tests in [0-9]+ suites (passed|failed)" "$out/run-$run.log" | tail -1)
    echo "run $run: exit $status, $(($(date +%s) - start)) s, ${tests:-no test count}, $(uptime | sed 's/.*load/load/')" |
        tee -a "$out/summary.txt"
    if ((status != 0)); then
        echo "run $run failed: $out/run-$run.log" | tee -a "$out/summary.txt"
        exit 1
    fi
done
echo "$runs of $runs runs passed" | tee -a "$out/summary.txt"
