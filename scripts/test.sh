#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` calls exactly this).
#
#   scripts/test.sh
#
# 1. formatting: `swift format lint --strict` (the toolchain's swift-format, settings in .swift-format)
# 2. a build of every target that must show no compiler warning in this project's sources
# 3. compile checks: Tests/CompileChecks/fail/*.swift must not compile (with the error each names),
#    Tests/CompileChecks/pass/*.swift must compile
# 4. `swift test`
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

step "test: swift test"
swift test
