import Pipelines

/// Each known pipeline's stage names in pipeline order, for `flowrun top`'s rows (the metrics do not say it).
///
/// Read from the pipelines as `flowrun check` builds them, which opens no connection and starts no thread,
/// with every default setting: a pipeline's stage names do not depend on its settings. A pipeline that
/// cannot be built is left out, and its stages are then listed by name.
enum StageOrder {
    static func ofKnownPipelines() -> [String: [String]] {
        var order: [String: [String]] = [:]
        for kind in PipelineRegistry.kinds {
            for (pipeline, stages) in (try? kind.stageNames(in: FlowrunConfiguration())) ?? [] {
                order[pipeline] = stages
            }
        }
        return order
    }
}
