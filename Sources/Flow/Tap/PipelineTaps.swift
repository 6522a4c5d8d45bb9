/// The tap points of a pipeline's stages (``StageTap``), in pipeline order, by stage name.
///
/// ```swift
/// let pipeline = Pipeline("squares") { Source(1...1_000); Map { (n: Int) in n * n }; Sink { (_: Int) in } }
/// pipeline.taps.stageNames                    // ["source", "map", "sink"]
/// let squares = pipeline.taps["map"]!.subscribe(limit: 10)
/// ```
///
/// - Important: Made once per ``Pipeline`` value (copies share it) and valid across its runs. When a run
///   ends, every subscription ends with ``TapSubscription/End/pipelineStopped``, and subscribing has that
///   effect at once until the next run begins.
public final class PipelineTaps: Sendable {
    /// The pipeline's name.
    public let pipeline: String
    /// One tap per stage, in the order of ``Pipeline/stageNames``.
    public let stages: [StageTap]

    /// - Parameter stages: each stage's unique name and the type of the items leaving it, in order.
    @usableFromInline
    init(pipeline: String, stages: [(name: String, outputType: any Any.Type)]) {
        self.pipeline = pipeline
        self.stages = stages.map { StageTap(pipeline: pipeline, stage: $0.name, outputType: $0.outputType) }
    }

    /// The stage names, in pipeline order.
    public var stageNames: [String] { self.stages.map(\.stage) }

    /// The tap of the stage named `stage`, or nil when the pipeline has no such stage.
    public subscript(stage: String) -> StageTap? {
        self.stages.first { $0.stage == stage }
    }

    func runStarted() {
        for tap in self.stages { tap.open() }
    }

    func runEnded() {
        for tap in self.stages { tap.close() }
    }
}
