import Flow

/// The pipelines flowrun knows. The one list of them: the configuration's `pipelines:` keys, `flowrun run`
/// (through ``PipelineSupervisor``), `check`, `top` and `/tap` all go through it.
public enum PipelineRegistry {
    /// Every known pipeline, in the order they start and are listed. Add a new ``PipelineKind`` here.
    public static let kinds: [any PipelineKind.Type] = [
        DurableWrite.self,
        LiveBroadcast.self,
        RaceTiming.self,
    ]

    /// Their names, in order.
    public static var names: [String] { Self.kinds.map { $0.name } }

    /// The kind named `name`, if flowrun knows it.
    public static func kind(named name: String) -> (any PipelineKind.Type)? {
        Self.kinds.first { $0.name == name }
    }

    /// The kinds `configuration` enables, in order.
    public static func enabled(in configuration: FlowrunConfiguration) -> [any PipelineKind.Type] {
        Self.kinds.filter { $0.isEnabled(in: configuration) }
    }
}

extension PipelineKind {
    static func isEnabled(in configuration: FlowrunConfiguration) -> Bool {
        Self.settings(in: configuration).enabled
    }
}
