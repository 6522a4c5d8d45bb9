#!/usr/bin/env bash
# durable-write's throughput beside PostgreSQL's own COPY of the same rows, measured in the same run, with
# flowrun's peak RSS and the CPU per stored row of flowrun, PostgreSQL and Redis; or, with --slow-writes,
# flowrun's memory second by second while every INSERT takes MS longer.
#
#   scripts/benchmark.sh [--entries N] [--writers W] [--batch B] [--read-count R]
#                        (default 200,000 entries, 2% duplicates; flowrun with its defaults but for the options given)
#   scripts/benchmark.sh --slow-writes MS [--duration S]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# One product per command: with two --product flags SwiftPM builds only the last.
swift build -c release --product flowrun
swift build -c release --product durable-write-benchmark
scripts/services.sh start >/dev/null
eval "$(scripts/services.sh env)"
FLOWRUN_BINARY=$PWD/.build/release/flowrun FLOWRUN_MIGRATIONS=$PWD/Migrations \
    exec .build/release/durable-write-benchmark "$@"
