#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` calls exactly this).
#
#   scripts/test.sh
#
# 1. formatting: `swift format lint --strict` (the toolchain's swift-format, settings in .swift-format)
# 2. a build of every target that must show no compiler warning in this project's sources
# 3. `swift test`
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "format: swift format lint --strict"
swift format lint --strict --recursive Sources Tests Benchmarks Package.swift

step "build: swift build --build-tests (no warnings allowed in Sources/, Tests/, Benchmarks/)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^$PWD/(Sources|Tests|Benchmarks)/.*: warning:" "$log" | sort -u | grep .; then
    echo "error: the build above has warnings in this project's sources; fix them" >&2
    exit 1
fi

step "test: swift test"
swift test
