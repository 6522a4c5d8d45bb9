#!/usr/bin/env bash
# live-broadcast end to end on this machine: the release flowrun between a Redis stream and 1,000 WebSocket
# clients subscribed to race events, with the CMS stand-in in the benchmark process. Prints deliveries
# received / expected, latency p50 / p99 / max, flowrun's CPU per delivery and peak RSS, and the consumer
# group's lag, each beside the goal.
#
#   scripts/benchmark-live.sh [--clients C] [--events E] [--devices D] [--rate R] [--duration S]
#   scripts/benchmark-live.sh --browser [--profile FILE]   (also the live map page in headless chromium:
#       its main thread's busy and CPU time per second, the lag from XADD to the marker moving; see --help)
#
# Defaults: 1000 clients, 10 events × 100 devices, 1000 positions/s, 20 s measured after a 2 s warm-up.
# SWIFT_SCRATCH_PATH: the build folder (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/benchmark-prepare.sh
benchmark_prepare live-broadcast-benchmark
# Each client is a socket here and one in flowrun.
if [[ $(ulimit -n) != unlimited ]] && (($(ulimit -n) < 8192)); then
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
FLOWRUN_BINARY=$bin/flowrun FLOWRUN_MIGRATIONS=$PWD/Migrations \
    exec "$bin/live-broadcast-benchmark" "$@"
