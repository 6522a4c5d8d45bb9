import Flow
import Logging
import Pipelines

/// Each known pipeline's stage names in pipeline order, for `flowrun top`'s rows (the metrics do not say it).
///
/// Read from the pipelines as `flowrun check` builds them, which connects to nothing, with every default
/// setting: a pipeline's stage names do not depend on its settings. A pipeline that cannot be built is left
/// out, and its stages are then listed by name.
enum StageOrder {
    static func ofKnownPipelines() -> [String: [String]] {
        var configuration = FlowrunConfiguration()
        configuration.pipelines.durableWrite.enabled = true
        configuration.pipelines.liveBroadcast.enabled = true
        var flow = PipelineConfiguration()
        flow.logger = Logger(label: "flowrun", factory: { _ in SwiftLogNoOpLogHandler() })
        var order: [String: [String]] = [:]
        for name in PipelineRegistry.names {
            if let pipeline = try? PipelineRegistry.make(name, configuration: configuration, flow: flow) {
                order[name] = pipeline.pipeline.stageNames
            }
        }
        return order
    }
}
