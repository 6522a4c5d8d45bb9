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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        .target(
            name: "Flow",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Lets client modules specialise Flow's generic stage code for their own item types; without
            // it every item pays for generic metadata look-ups (see Benchmarks/FlowBenchmark).
            swiftSettings: [.unsafeFlags(["-cross-module-optimization"])]
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
        .target(
            name: "Stages",
            dependencies: [
                "Flow",
                "CHiredis",
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
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
            ]
        ),
        .executableTarget(
            name: "flowrun",
            dependencies: [
                "Flow",
                "Pipelines",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "FlowBenchmark",
            dependencies: ["Flow"],
            path: "Benchmarks/FlowBenchmark"
        ),
        .executableTarget(
            name: "DurableWriteBenchmark",
            dependencies: ["Stages", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/DurableWriteBenchmark"
        ),
        .testTarget(
            name: "StagesTests",
            dependencies: ["Stages", "FlowTesting"]
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
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
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
