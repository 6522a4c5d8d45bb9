#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` calls exactly this).
#
#   scripts/test.sh
#
# 1. setup: installs the Debian packages the build and tests need when missing (scripts/setup.sh)
# 2. formatting: `swift format lint --strict` (the toolchain's swift-format, settings in .swift-format)
# 3. a build of every target that must show no compiler warning in this project's sources
# 4. compile checks: Tests/CompileChecks/fail/*.swift must not compile (with the error each names),
#    Tests/CompileChecks/pass/*.swift must compile
# 5. the decoder's fuzz test under AddressSanitizer (scripts/fuzz-decoder.sh; compiled on its own, not by SwiftPM)
# 6. local Redis and PostgreSQL on loopback (scripts/services.sh), then `swift test` against them;
#    servers this script started are stopped at the end, ones already running are left running
# 7. the count: swift-testing's last line must report at least as many tests as scripts/expected-tests
#    holds, so that tests that silently stop being found or run fail the run
# 8. the benchmarks, each once at a tiny size with the debug build (about 30 s in all): not a measurement,
#    only proof that each still runs to its report and exits 0 (one that hangs or fails would otherwise
#    be found only by the next person who measures)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "setup: Debian packages"
scripts/setup.sh

step "format: swift format lint --strict"
swift format lint --strict --recursive Sources Tests Benchmarks Package.swift

step "build: swift build --build-tests (no warnings allowed in Sources/, Tests/, Benchmarks/)"
log=$(mktemp)
started_services=no
cleanup() {
    rm -f "$log"
    if [ "$started_services" = yes ]; then scripts/services.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^$PWD/(Sources|Tests|Benchmarks)/.*: warning:" "$log" | sort -u | grep .; then
    echo "error: the build above has warnings in this project's sources; fix them" >&2
    exit 1
fi

step "compile checks: mismatched stages must not compile"
modules=.build/debug/Modules
for file in Tests/CompileChecks/pass/*.swift; do
    if ! out=$(swiftc -swift-version 6 -typecheck -I "$modules" "$file" 2>&1); then
        printf '%s\nerror: %s should compile (it is the positive control)\n' "$out" "$file" >&2
        exit 1
    fi
    echo "ok   $file compiles"
done
for file in Tests/CompileChecks/fail/*.swift; do
    expected=$(sed -n 's|^// expected-error: ||p' "$file")
    if out=$(swiftc -swift-version 6 -typecheck -I "$modules" "$file" 2>&1); then
        echo "error: $file compiled, but must fail with: $expected" >&2
        exit 1
    fi
    if ! grep -qF -- "$expected" <<<"$out"; then
        printf '%s\nerror: %s failed, but not with: %s\n' "$out" "$file" "$expected" >&2
        exit 1
    fi
    echo "ok   $file is rejected: $expected"
done

step "fuzz: the decoder, 100,000 inputs per property under AddressSanitizer (scripts/fuzz-decoder.sh)"
# A fixed seed, so that CI decides the same way every run; `scripts/fuzz-decoder.sh` alone picks a new one.
scripts/fuzz-decoder.sh --inputs 100000 --seed 20261206

step "servers: local Redis and PostgreSQL (scripts/services.sh)"
if ! scripts/services.sh env >/dev/null 2>&1; then started_services=yes; fi
scripts/services.sh start
eval "$(scripts/services.sh env)"

step "test: swift test (unit tests, and integration tests against $REDIS_URL and $POSTGRES_URL)"
swift test 2>&1 | tee "$log"

step "count: at least as many tests ran as scripts/expected-tests says"
expected=$(grep -v '^#' scripts/expected-tests | tr -d '[:space:]')
# swift-testing's summary: "✔ Test run with 1234 tests in 56 suites passed after 7.8 seconds."
ran=$(sed -n 's/.*Test run with \([0-9][0-9]*\) tests\{0,1\} in [0-9][0-9]* suites\{0,1\} passed.*/\1/p' "$log" | tail -1)
if [ -z "$ran" ]; then
    echo "error: no 'Test run with N tests in M suites passed' line in the output of swift test" >&2
    exit 1
fi
if [ "$ran" -lt "$expected" ]; then
    echo "error: $ran tests ran, scripts/expected-tests expects at least $expected." >&2
    echo "If tests were removed on purpose, lower the number in scripts/expected-tests (and say why in the commit)." >&2
    exit 1
fi
echo "ok   $ran tests ran (at least $expected expected)"

step "benchmarks: each runs once at a tiny size (debug build; a smoke check, not a measurement)"
export FLOWRUN_BINARY=$PWD/.build/debug/flowrun FLOWRUN_MIGRATIONS=$PWD/Migrations
export FLOWRUN_REGISTRY_SQL=$PWD/scripts/demo-registry.sql
smoke() {
    local name=$1
    shift
    if ! timeout 300 ".build/debug/$name" "$@" >"$log" 2>&1; then
        tail -40 "$log" >&2
        echo "error: the benchmark '$name $*' failed or did not finish in 300 s (its output's end is above)" >&2
        exit 1
    fi
    echo "ok   $name $*"
}
smoke flow-benchmark --items 20000
smoke durable-write-benchmark --entries 2000
smoke live-broadcast-benchmark --clients 20 --rate 200 --duration 2
smoke race-timing-benchmark --devices 10 --seconds 300 --quick
