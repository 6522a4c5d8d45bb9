import CoreMetrics
import Logging

/// One stage of a running pipeline: its unique name, logger, metrics and tap point.
@usableFromInline
struct StageRuntime: Sendable {
    @usableFromInline let name: String
    @usableFromInline let logger: Logger
    @usableFromInline let metrics: StageMetrics
    @usableFromInline let tap: StageTap
}

/// Everything a running pipeline's stages share, made once per `run()`.
@usableFromInline
final class PipelineRun: Sendable {
    @usableFromInline let name: String
    @usableFromInline let configuration: PipelineConfiguration
    /// One entry per stage, in the order of the pipeline's stage list (and of its taps).
    @usableFromInline let stages: [StageRuntime]
    @usableFromInline let stop: StopSignal

    init(name: String, taps: PipelineTaps, configuration: PipelineConfiguration, stop: StopSignal) {
        self.name = name
        self.configuration = configuration
        self.stop = stop
        self.stages = taps.stages.map { tap in
            let stage = tap.stage
            var logger = configuration.logger
            logger[metadataKey: "pipeline"] = .string(name)
            logger[metadataKey: "stage"] = .string(stage)
            return StageRuntime(
                name: stage,
                logger: logger,
                metrics: StageMetrics(pipeline: name, stage: stage, factory: configuration.metricsFactory),
                tap: tap
            )
        }
    }
}

/// Makes stage names unique within a pipeline: the second `map` becomes `map-2`.
@usableFromInline
func uniqueStageNames(_ names: [String]) -> [String] {
    var seen: [String: Int] = [:]
    return names.map { name in
        let count = (seen[name] ?? 0) + 1
        seen[name] = count
        return count == 1 ? name : "\(name)-\(count)"
    }
}
