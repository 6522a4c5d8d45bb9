#!/usr/bin/env bash
# The main job: build flowrun and run the pipelines that pipelines.yaml enables.
#
#   scripts/run.sh [pipelines.yaml]
#
# Status: the Flow library is done; the durable-write and live-broadcast pipelines (and the local Redis,
# PostgreSQL and simulator this script will start for them) are the next issues. Until they land,
# flowrun says so and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-pipelines.yaml}
swift build --product flowrun
exec .build/debug/flowrun "$config"
