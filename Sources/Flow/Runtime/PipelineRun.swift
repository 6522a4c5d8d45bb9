import CoreMetrics
import Logging

/// One stage of a running pipeline: its unique name, logger, metrics and tap point.
struct StageRuntime: Sendable {
    let name: String
    let logger: Logger
    let metrics: StageMetrics
    let tap: StageTap
}

/// Everything a running pipeline's stages share, made once per `run()`.
final class PipelineRun: Sendable {
    let name: String
    let configuration: PipelineConfiguration
    /// One entry per stage, in the order of ``Stage/_stageNames`` (and of the pipeline's taps).
    let stages: [StageRuntime]
    let stop: StopSignal

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
func uniqueStageNames(_ names: [String]) -> [String] {
    var seen: [String: Int] = [:]
    return names.map { name in
        let count = (seen[name] ?? 0) + 1
        seen[name] = count
        return count == 1 ? name : "\(name)-\(count)"
    }
}
