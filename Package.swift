// swift-tools-version: 6.2
import PackageDescription

/// Modules by dependency weight (see README "Layout"):
/// - `Flow` is the generic core and imports no I/O (no Redis, SQL or HTTP).
/// - `FlowTesting` lets a stage author run stages over in-memory input with a manual clock.
/// - `Stages` and `Pipelines` hold the concrete stages and pipelines; `flowrun` is the executable.
let package = Package(
    name: "flowrun",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Flow", targets: ["Flow"]),
        .library(name: "FlowTesting", targets: ["FlowTesting"]),
        .library(name: "Stages", targets: ["Stages"]),
        .library(name: "Pipelines", targets: ["Pipelines"]),
        .executable(name: "flowrun", targets: ["flowrun"]),
        .executable(name: "flow-benchmark", targets: ["FlowBenchmark"]),
        .executable(name: "durable-write-benchmark", targets: ["DurableWriteBenchmark"]),
        .executable(name: "live-broadcast-benchmark", targets: ["LiveBroadcastBenchmark"]),
        .executable(name: "race-timing-benchmark", targets: ["RaceTimingBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.25.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.0"),
    ],
    targets: [
        .target(
            name: "Flow",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
            // No unsafe flags, so that other packages can depend on Flow: the stages' hot paths (channels,
            // per-item loops, composition) are @inlinable instead, and specialised in the module that declares
            // the pipeline (see Benchmarks/FlowBenchmark).
        ),
        .target(
            name: "FlowTesting",
            dependencies: [
                "Flow",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // C libraries from Debian (scripts/setup.sh installs them): libhiredis-dev and libpq-dev. Their
        // headers are found under /usr/include through the shims; no pkg-config (its hiredis flags are
        // ones SwiftPM refuses).
        .systemLibrary(
            name: "CHiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            providers: [.apt(["libpq-dev"])]
        ),
        // glibc's <malloc.h> (mallopt), for flowrun's MemoryTuning.
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "Stages",
            dependencies: [
                "Flow",
                "CHiredis",
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            // The live map page's HTML, CSS and JavaScript, served by the live server as they are (no build step).
            resources: [.copy("Live/Web")]
        ),
        // The CMS stand-in (CONTRACT §4) for tests and the demo: `flowrun cms-stub`.
        .target(
            name: "CMSStub",
            dependencies: [
                "Flow",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Pipelines",
            dependencies: [
                "Flow",
                "Stages",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "flowrun",
            dependencies: [
                "Flow",
                "Pipelines",
                "CMSStub",
                "LiveTestClient",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FlowBenchmark",
            dependencies: [
                "Flow",
                // Only for the channel comparison: Flow's channel beside MultiProducerSingleConsumerAsyncChannel.
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            path: "Benchmarks/FlowBenchmark"
        ),
        // What the benchmarks share: /proc's figures of a process, and the release flowrun run as a child.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                "Stages", "Pipelines",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/BenchmarkSupport"
        ),
        .executableTarget(
            name: "DurableWriteBenchmark",
            dependencies: [
                "Stages", "CMSStub", "BenchmarkSupport", "BrowserSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/DurableWriteBenchmark"
        ),
        // A WebSocket client of the live protocol (CONTRACT §5), for the tests and the live benchmark.
        .target(
            name: "LiveTestClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        // Headless chromium driven over the DevTools protocol, child processes and free ports: for the
        // integration tests (the map page) and the live benchmark's --browser mode.
        .target(
            name: "BrowserSupport",
            dependencies: [
                "LiveTestClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/BrowserSupport"
        ),
        .executableTarget(
            name: "LiveBroadcastBenchmark",
            dependencies: [
                "Stages", "LiveTestClient", "CMSStub", "BenchmarkSupport", "BrowserSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/LiveBroadcastBenchmark"
        ),
        .executableTarget(
            name: "RaceTimingBenchmark",
            dependencies: ["Stages", "BenchmarkSupport", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/RaceTimingBenchmark"
        ),
        .testTarget(
            name: "StagesTests",
            dependencies: [
                "Stages",
                "FlowTesting",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                // The live connection's state machine is fed NIO values (buffers, frames, deadlines).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PipelinesTests",
            dependencies: ["Pipelines", "Stages"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Flow",
                "FlowTesting",
                "Pipelines",
                "Stages",
                "CMSStub",
                "LiveTestClient",
                "BrowserSupport",
                "BenchmarkSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FlowTests",
            dependencies: [
                "Flow",
                "FlowTesting",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
