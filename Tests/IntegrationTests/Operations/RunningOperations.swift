import Flow
import Foundation
import Logging
import Pipelines
import ServiceLifecycle

/// An ``OperationsServer`` on 127.0.0.1 (any free port) and its ``Readiness`` checker, running in a
/// `ServiceGroup` as `flowrun` runs them, stopped by a graceful shutdown.
final class RunningOperations: Sendable {
    let server: OperationsServer
    let readiness: Readiness
    let metrics: PrometheusMetrics
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static var logger: Logger {
        // FLOWRUN_TEST_LOG=1 shows the servers' log on standard error.
        ProcessInfo.processInfo.environment["FLOWRUN_TEST_LOG"] == "1"
            ? Logger(label: "operations-test", factory: { StreamLogHandler.standardError(label: $0) })
            : Logger(label: "operations-test", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Starts both and waits until the server listens.
    ///
    /// - Parameters:
    ///   - checkReadiness: Run the readiness checker in the group (every 200 ms); false: the test calls
    ///     `readiness.checkNow()` itself.
    ///   - taps: The pipelines `/tap` can tap.
    init(
        readiness: Readiness,
        metrics: PrometheusMetrics = PrometheusMetrics(),
        checkReadiness: Bool = true,
        taps: [PipelineTaps] = []
    )
        async throws
    {
        let server = OperationsServer(
            configuration: .init(host: "127.0.0.1", port: 0),
            registry: metrics.registry,
            readiness: readiness,
            taps: { taps },
            logger: Self.logger
        )
        let services: [any Service] = checkReadiness ? [readiness, server] : [server]
        let group = ServiceGroup(services: services, logger: Self.logger)
        self.server = server
        self.readiness = readiness
        self.metrics = metrics
        self.group = group
        self.task = Task { try await group.run() }
        do {
            self.port = try await server.port()
        } catch {
            self.task.cancel()
            throw error
        }
    }

    /// Runs `body` with running operations, then stops them, also when `body` throws.
    static func run(
        readiness: Readiness,
        metrics: PrometheusMetrics = PrometheusMetrics(),
        checkReadiness: Bool = true,
        taps: [PipelineTaps] = [],
        _ body: (RunningOperations) async throws -> Void
    ) async throws {
        let running = try await RunningOperations(
            readiness: readiness,
            metrics: metrics,
            checkReadiness: checkReadiness,
            taps: taps
        )
        do {
            try await body(running)
        } catch {
            try? await running.stop()
            throw error
        }
        try await running.stop()
    }

    func get(_ path: String) async throws -> HTTPAnswer {
        try await httpRequest(port: self.port, path: path)
    }

    /// Shuts the group down gracefully and waits until both have stopped.
    func stop() async throws {
        await self.group.triggerGracefulShutdown()
        try await self.task.value
    }
}

extension Readiness {
    /// A readiness of the shared test servers (or of `postgresURL`), checked every 200 ms.
    static func forTests(
        pipelines: [String],
        redisURL: String? = nil,
        postgresURL: String? = nil,
        timeout: Duration = .seconds(1)
    ) throws -> Readiness {
        let servers = try Servers()
        return try Readiness(
            redisURL: redisURL ?? servers.redisURL,
            postgresURL: postgresURL ?? servers.postgresURL,
            pipelines: pipelines,
            configuration: .init(interval: .milliseconds(200), timeout: timeout),
            logger: RunningOperations.logger
        )
    }
}
