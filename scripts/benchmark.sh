#!/usr/bin/env bash
# durable-write's throughput beside PostgreSQL's own COPY of the same rows, measured in the same run, and
# flowrun's peak RSS.
#
#   scripts/benchmark.sh [--entries N]        (default 200,000 entries, 2% duplicates, some out of order)
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
