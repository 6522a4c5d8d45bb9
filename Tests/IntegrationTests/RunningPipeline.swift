import CoreMetrics
import Flow
import Foundation
import Logging
import Pipelines
import ServiceLifecycle

/// A pipeline of kind `Kind` running in this process as a service, stopped by a graceful shutdown.
final class RunningPipeline<Kind: PipelineKind & Sendable>: Sendable {
    let service: Kind
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Builds the pipeline `configuration` describes and starts running it, its metrics to `metrics` if given.
    init(_ configuration: FlowrunConfiguration, metrics: (any MetricsFactory)? = nil) throws {
        var flow = PipelineConfiguration()
        if let metrics { flow.metricsFactory = metrics }
        // FLOWRUN_TEST_LOG=1 shows the pipeline's log on standard error.
        let label = "\(Kind.name)-test"
        flow.logger =
            ProcessInfo.processInfo.environment["FLOWRUN_TEST_LOG"] == "1"
            ? Logger(label: label, factory: { StreamLogHandler.standardError(label: $0) })
            : Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
        self.service = try Kind(configuration: configuration, flow: flow)
        let group = ServiceGroup(services: [self.service], logger: flow.logger)
        self.group = group
        self.task = Task { try await group.run() }
    }

    /// Drains: the source stops, what is in flight goes through every stage and is acknowledged.
    func stop() async throws {
        await self.group.triggerGracefulShutdown()
        try await self.task.value
    }

    /// Cancels the run without draining, and waits for it to end.
    func cancel() async {
        self.task.cancel()
        _ = await self.task.result
    }
}

/// durable-write running in this process.
typealias RunningDurableWrite = RunningPipeline<DurableWrite>

/// race-timing running in this process.
typealias RunningRaceTiming = RunningPipeline<RaceTiming>
