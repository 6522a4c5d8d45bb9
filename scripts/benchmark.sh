#!/usr/bin/env bash
# durable-write's throughput beside PostgreSQL's own COPY of the same rows, measured in the same run, with
# flowrun's peak RSS and the CPU per stored row of flowrun, PostgreSQL and Redis; or, with --slow-writes,
# flowrun's memory second by second while every INSERT takes MS longer.
#
#   scripts/benchmark.sh [--entries N] [--writers W] [--batch B] [--read-count R]
#                        (default 200,000 entries, 2% duplicates; flowrun with its defaults but for the options given)
#   scripts/benchmark.sh --slow-writes MS [--duration S]
#   scripts/benchmark.sh --prefill [ROWS] [--shape plain|hypertable] [--compress]
#                        (at season scale: the same drain and COPY into the empty table and into one holding
#                        ROWS rows of earlier races, default 20,000,000, generated inside PostgreSQL; the snapshot
#                        and replay reads at that size; a plain table and a hypertable, each in its own database)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/benchmark-prepare.sh
benchmark_prepare durable-write-benchmark
FLOWRUN_BINARY=$bin/flowrun FLOWRUN_MIGRATIONS=$PWD/Migrations \
    exec "$bin/durable-write-benchmark" "$@"
