import Logging
import ServiceLifecycle

/// Errors that end a pipeline's run.
public enum PipelineError: Error, CustomStringConvertible {
    /// A graceful drain did not finish within ``PipelineConfiguration/drainTimeout``; what was still in
    /// flight was cancelled.
    case drainTimedOut(pipeline: String, after: Duration)

    public var description: String {
        switch self {
        case .drainTimedOut(let pipeline, let after):
            return "pipeline '\(pipeline)' did not drain within \(after); the items still in flight were"
                + " cancelled (raise drain_timeout, or look for a stage that never returns)"
        }
    }
}

/// A named chain of stages from a source to its end, run as a swift-service-lifecycle `Service`.
///
/// ```swift
/// let pipeline = Pipeline("squares") {
///     Source(1...1_000)
///     Map { (n: Int) in n * n }
///     Batch<Int>(max: 100, within: .milliseconds(20))
///     Sink { (batch: [Int]) in print(batch.count) }
/// }
/// try await pipeline.run()
/// ```
///
/// Each stage runs in its own child task; a bounded channel joins each pair (see ``Backpressure``).
///
/// - Important: `run()` returns when the source ends and every item has passed every stage, or, on
///   graceful shutdown, once the source stopped reading and everything in flight has finished (the
///   drain). A drain longer than ``PipelineConfiguration/drainTimeout`` cancels what is left and throws
///   ``PipelineError/drainTimedOut(pipeline:after:)``. A stage that throws stops the whole pipeline
///   with its error. Each stage's output can be watched while it runs through ``taps``.
public struct Pipeline<Output: Sendable>: Service {
    public typealias Configuration = PipelineConfiguration

    public let name: String
    public var configuration: Configuration
    /// The unique name of every stage, in order, as used in logs and metric labels.
    public let stageNames: [String]
    /// Each stage's tap point, to watch the items leaving it while the pipeline runs.
    public let taps: PipelineTaps
    /// Runs the stages. Captured in `init` (inlinable), where their concrete types are known, so that the
    /// module declaring the pipeline gets code specialised for its own stages.
    @usableFromInline let root: @Sendable (Outbox<Output>, StageContext) async throws -> Void

    @inlinable
    public init<Stages: Stage>(
        _ name: String,
        configuration: Configuration = Configuration(),
        @StageBuilder stages: () -> Stages
    ) where Stages.Input == Never, Stages.Output == Output {
        let stages = stages()
        self.name = name
        self.configuration = configuration
        self.root = { output, context in try await stages._run(.empty, output, context) }
        let layout = StageLayout.of(stages)
        self.stageNames = uniqueStageNames(layout.stages.map(\.name))
        self.taps = PipelineTaps(
            pipeline: name,
            stages: zip(self.stageNames, layout.stages).map { ($0, $1.outputType) }
        )
    }

    /// Runs until the source ends or a graceful shutdown has drained the pipeline.
    public func run() async throws {
        try await self.run(output: .discard, stop: StopSignal())
    }

    /// Runs with the last stage's items sent to `output`; `stop` begins the drain.
    package func run(output: Outbox<Output>, stop: StopSignal) async throws {
        let run = PipelineRun(name: self.name, taps: self.taps, configuration: self.configuration, stop: stop)
        let logger = self.configuration.logger
        let clock = self.configuration.clock
        let drainTimeout = self.configuration.drainTimeout
        let root = self.root
        let name = self.name
        logger.debug("pipeline starting", metadata: ["pipeline": "\(name)", "stages": "\(self.stageNames)"])
        self.taps.runStarted()
        // Whatever way the run ends, its tap subscriptions end with it.
        defer { self.taps.runEnded() }
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await root(output, StageContext(run: run, index: 0))
                }
                group.addTask {
                    await stop.wait()
                    // Cancelled from outside: the run did not complete, and says so.
                    try Task.checkCancellation()
                    logger.info("pipeline draining", metadata: ["pipeline": "\(name)"])
                    try await clock.sleep(for: drainTimeout)
                    throw PipelineError.drainTimedOut(pipeline: name, after: drainTimeout)
                }
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            stop.stop()
        }
        logger.debug("pipeline stopped", metadata: ["pipeline": "\(name)"])
    }
}
