#!/usr/bin/env bash
# The decoder's fuzz test (issue 13), under AddressSanitizer: scripts/test.sh runs it, CI too.
#
#   scripts/fuzz-decoder.sh [--inputs N] [--seed S]
#
# Compiles the decoder's sources (the list below) and Tests/DecoderFuzz/*.swift into one module with
# `swiftc -O -sanitize=address` (not a SwiftPM target: no package build needed) into .build/decoder-fuzz/,
# then runs it: four properties over N inputs each (default 100,000), seeded (a random seed unless --seed is
# given; the seed is printed, and a failure prints the input). -O, not -Onone: it is the code the release
# build runs, with the debug bounds checks of UnsafeBufferPointer compiled out, so that a read past a
# payload's end is seen by AddressSanitizer as it would happen in production (and not stopped earlier by a
# check that the release build does not have: -Onone stops it with "Fatal error" in UnsafeBufferPointer).
set -euo pipefail
cd "$(dirname "$0")/.."

# The decoder and what it needs (it imports nothing), and the project's seeded random generator.
sources=(
    Sources/Stages/Decode/DecodeError.swift
    Sources/Stages/Decode/DecodeError+Description.swift
    Sources/Stages/Decode/JSONReader.swift
    Sources/Stages/Decode/JSONReader+Number.swift
    Sources/Stages/Decode/JSONReader+String.swift
    Sources/Stages/Decode/PayloadDecoder+Attributes.swift
    Sources/Stages/Decode/Position+Attributes.swift
    Sources/Stages/Decode/PositionDecoder.swift
    Sources/Stages/Decode/Timestamp.swift
    Sources/Stages/Decode/UTF8Validation.swift
    Sources/Stages/Model/Position.swift
    Sources/Stages/Model/PositionAttributes.swift
    Sources/Stages/Model/PositionAttributes+Builder.swift
    Sources/Stages/Model/StreamEntry.swift
    Sources/Stages/Stream/StreamID.swift
    Sources/Stages/Clients/DecimalDigits.swift
    Sources/Stages/Simulation/SplitMix.swift
)
for file in "${sources[@]}"; do
    if [ ! -f "$file" ]; then
        echo "error: scripts/fuzz-decoder.sh: $file is missing; update the list of decoder sources in this script" >&2
        exit 1
    fi
done

out=.build/decoder-fuzz
mkdir -p "$out"
# lld: the default gold linker warns about every ASan symbol it cannot export.
swiftc -swift-version 6 -O -sanitize=address -use-ld=lld -module-name DecoderFuzz \
    "${sources[@]}" Tests/DecoderFuzz/*.swift -o "$out/decoder-fuzz"
# halt_on_error: the first finding fails the run; detect_leaks off: the program exits with live objects.
ASAN_OPTIONS=halt_on_error=1:detect_leaks=0:abort_on_error=0 "$out/decoder-fuzz" "$@"
