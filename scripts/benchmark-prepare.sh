# Sourced by the benchmark scripts: `benchmark_prepare PRODUCT` checks the Debian packages, builds the release
# flowrun and PRODUCT, starts the local servers, exports their URLs (REDIS_URL, POSTGRES_URL), and sets
# `bin`, the folder of the release binaries. SWIFT_SCRATCH_PATH: the build folder (default .build).
benchmark_prepare() {
    local scratch=${SWIFT_SCRATCH_PATH:-.build}
    scripts/setup.sh
    # One product per call: given --product twice, swift build builds only the last one.
    swift build -c release --scratch-path "$scratch" --product flowrun
    swift build -c release --scratch-path "$scratch" --product "$1"
    bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
    scripts/services.sh start >/dev/null
    eval "$(scripts/services.sh env)"
}
