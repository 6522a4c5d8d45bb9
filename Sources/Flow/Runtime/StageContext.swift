import CoreMetrics
import Logging

/// What a running stage knows about its pipeline: its name, logger, metrics, clock, and whether the
/// pipeline is draining.
public struct StageContext: Sendable {
    @usableFromInline let run: PipelineRun
    /// The index of this stage (for a composite stage: of its first stage) in ``PipelineRun/stages``.
    @usableFromInline let index: Int

    @usableFromInline
    init(run: PipelineRun, index: Int) {
        self.run = run
        self.index = index
    }

    /// The pipeline's name.
    @inlinable public var pipelineName: String { self.run.name }
    /// This stage's unique name in the pipeline, as in its metric labels.
    @inlinable public var stageName: String { self.run.stages[self.index].name }
    /// A logger with `pipeline` and `stage` metadata.
    @inlinable public var logger: Logger { self.run.stages[self.index].logger }
    /// This stage's metrics.
    @inlinable public var metrics: StageMetrics { self.run.stages[self.index].metrics }
    /// This stage's name, logger, metrics and tap.
    @inlinable var runtime: StageRuntime { self.run.stages[self.index] }
    /// Where the pipeline's metrics go: for a stage's own domain metrics, beside the ones Flow keeps.
    public var metricsFactory: any MetricsFactory { self.run.configuration.metricsFactory }
    /// The clock for anything time-based (a manual one in tests).
    @inlinable public var clock: FlowClock { self.run.configuration.clock }

    /// `true` once the pipeline is draining: a source stops reading and returns.
    @inlinable public var isStopping: Bool { self.run.stop.isStopped }

    /// Returns once the pipeline starts draining (or the task is cancelled). A source that waits for
    /// input can race its read against this.
    public func stopRequested() async {
        await self.run.stop.wait()
    }

    /// The context of the stage `offset` places after this one.
    @inlinable
    func advanced(by offset: Int) -> StageContext {
        StageContext(run: self.run, index: self.index + offset)
    }

    /// A channel feeding the stage at `consumerIndex`, reporting its depth as that stage's queue.
    @usableFromInline
    func makeChannel<Item>(feeding consumerIndex: Int, backpressure: Backpressure?) -> ChannelStorage<Item> {
        let gauge = self.run.stages[consumerIndex].metrics.queueDepth
        let channel = ChannelStorage<Item>(
            backpressure: backpressure ?? self.run.configuration.backpressure,
            depth: { gauge.record($0) }
        )
        self.run.configuration.channelProbe?.register(
            channel,
            consumerIndex: consumerIndex,
            consumer: self.run.stages[consumerIndex].name
        )
        return channel
    }
}
