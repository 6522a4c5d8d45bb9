#!/usr/bin/env bash
# race-timing beside durable-write on the same simulated race, in the same run: the demo course raced by
# 500 devices at 1 Hz (3 m noise, 0.1% faulty fixes, 2% of devices offline in bursts), pre-loaded in a
# stream, then drained by the release flowrun: race-timing before anything is stored, durable-write, and
# race-timing again (its rebuild reads the stored positions). Once without noise and once with. Prints
# positions/s of each, their ratio, crossings/s, CPU and peak RSS, the crossing-time error against the
# simulator's truth (p50 / p99 / max, missing, extra) and the rows that differ from CONTRACT §6's definition.
#
#   scripts/benchmark-timing.sh [--devices N] [--noise-m σ] [--faulty F] [--offline F] [--seconds S]
#                               [--runs R] [--quick]            (--help for the details)
# SWIFT_SCRATCH_PATH: the build folder (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/benchmark-prepare.sh
benchmark_prepare race-timing-benchmark
FLOWRUN_BINARY=$bin/flowrun FLOWRUN_MIGRATIONS=$PWD/Migrations FLOWRUN_REGISTRY_SQL=$PWD/scripts/demo-registry.sql \
    exec "$bin/race-timing-benchmark" "$@"
