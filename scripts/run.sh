#!/usr/bin/env bash
# The main job, on one machine: local Redis and PostgreSQL, a stand-in CMS with a demo race, a simulator
# racing trackers around the demo race's course, and flowrun running the pipelines pipelines.yaml enables
# (durable-write, live-broadcast and race-timing: crossings counted in its progress line), until Ctrl-C.
#
#   scripts/run.sh [--devices N] [--rate R]      (defaults: 100 devices, 1000 positions/s)
#
# Each device reports every N/R seconds of device time, which never runs ahead of the wall clock; the true
# checkpoint crossings go to .local/truth.jsonl (see flowrun simulate --help).
# Ctrl-C stops the simulator and drains flowrun (what it read is stored and acknowledged). The servers
# keep running for a look at the data (psql "$POSTGRES_URL"); stop them with: scripts/services.sh stop
# Ports: LIVE_PORT (WebSocket, default 8080) and CMS_PORT (the stand-in CMS, default 8055).
set -euo pipefail
cd "$(dirname "$0")/.."

devices=100
rate=1000
while [ $# -gt 0 ]; do
    case "$1" in
        --devices) devices=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# The CMS owns the event registry in production; here a demo race holds the simulator's devices and the
# course they drive (scripts/demo-registry.sql, its course block from flowrun simulate --print-course-sql).
echo "== demo race: the simulator's $devices devices and its course in event 00000000-0000-4000-8000-00000000d001"
psql "$POSTGRES_URL" -q -v ON_ERROR_STOP=1 -v devices="$devices" -f scripts/demo-registry.sql 2>&1 \
    | grep -v 'already exists, skipping' || true

mkdir -p .local
cms_port=${CMS_PORT:-8055}
export CMS_URL=${CMS_URL:-http://127.0.0.1:$cms_port}
export LIVE_PORT=${LIVE_PORT:-8080}
echo "== stand-in CMS on port $cms_port (log: .local/cms-stub.log)"
"$flowrun" cms-stub --port "$cms_port" --event '00000000-0000-4000-8000-00000000d001=Demo race' \
    --event '00000000-0000-4000-8000-00000000d002=Demo sprint' > .local/cms-stub.log 2>&1 &
cms=$!

# The wall clock paces the simulator (--rate 0: no cap on top); the true crossings, one JSON line per device
# per checkpoint, are what race timing's results are checked against.
truth=.local/truth.jsonl
interval=$(awk -v d="$devices" -v r="$rate" 'BEGIN { printf "%.6f", d / r }')
echo "== simulator: $devices devices racing the demo course, one position each per ${interval} s" \
    "(log: .local/simulate.log, true crossings: $truth)"
"$flowrun" simulate --course demo --devices "$devices" --interval "$interval" --rate 0 \
    --noise-m 3 --faulty 0.002 --offline 0.05 --duplicates 0.01 --malformed 0.0005 \
    --truth "$truth" > .local/simulate.log 2>&1 &
simulator=$!
trap 'kill "$simulator" "$cms" 2>/dev/null || true' EXIT

cat <<EOT
== the live map: open this in a browser on this machine (it signs you in to the stand-in CMS, then shows the race):
     http://127.0.0.1:$cms_port/login?next=http://127.0.0.1:$LIVE_PORT/events/00000000-0000-4000-8000-00000000d001
   (the page itself: http://127.0.0.1:$LIVE_PORT/; it needs the CMS session cookie, which /login sets)
== watch the live feed as a browser would (in another terminal):
     $flowrun watch --url ws://127.0.0.1:$LIVE_PORT/live --event 00000000-0000-4000-8000-00000000d001
   Browsers connect to ws://127.0.0.1:$LIVE_PORT/live with the cookie directus_session_token=valid-<name>
   and send {"type":"subscribe","topic":"event:00000000-0000-4000-8000-00000000d001"}.
EOT

echo "== flowrun pipelines.yaml (Ctrl-C to drain and stop)"
set +e
"$flowrun" pipelines.yaml --progress 2
status=$?
set -e
kill "$simulator" "$cms" 2>/dev/null || true
wait "$simulator" "$cms" 2>/dev/null || true
echo "== flowrun exited with status $status; the servers keep running (scripts/services.sh stop)"
exit "$status"
