#!/usr/bin/env bash
# The main job, on one machine: local Redis and PostgreSQL, a simulator feeding moving trackers, and
# flowrun running the pipelines pipelines.yaml enables, with a progress line, until Ctrl-C.
#
#   scripts/run.sh [--devices N] [--rate R]      (defaults: 100 devices, 1000 positions/s)
#
# Ctrl-C stops the simulator and drains flowrun (what it read is stored and acknowledged). The servers
# keep running for a look at the data (psql "$POSTGRES_URL"); stop them with: scripts/services.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."

devices=100
rate=1000
while [ $# -gt 0 ]; do
    case "$1" in
        --devices) devices=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

echo "== setup and build (release)"
scripts/setup.sh
swift build -c release --product flowrun
flowrun=.build/release/flowrun

echo "== servers"
scripts/services.sh start
eval "$(scripts/services.sh env)"
export INSTANCE_ID=${INSTANCE_ID:-local-1}

echo "== migrations"
"$flowrun" migrate pipelines.yaml

echo "== simulator: $devices devices, $rate positions/s (log: .local/simulate.log)"
mkdir -p .local
"$flowrun" simulate --devices "$devices" --rate "$rate" --duplicates 0.01 --out-of-order 0.005 \
    --malformed 0.0005 > .local/simulate.log 2>&1 &
simulator=$!
trap 'kill "$simulator" 2>/dev/null || true' EXIT

echo "== flowrun pipelines.yaml (Ctrl-C to drain and stop)"
set +e
"$flowrun" pipelines.yaml --progress 2
status=$?
set -e
kill "$simulator" 2>/dev/null || true
wait "$simulator" 2>/dev/null || true
echo "== flowrun exited with status $status; the servers keep running (scripts/services.sh stop)"
exit "$status"
