import Flow

/// Counts and logs an entry that cannot be decoded, and lets it go: live-broadcast's branch for ``Decode``'s
/// failures (durable-write is the pipeline that dead-letters them, see ``DeadLetter``).
///
/// Metric: `flowrun_decode_errors_total{pipeline,reason}`.
public struct ReportMalformed: ItemStage {
    public var options = ItemOptions<Failed<StreamEntry>>()
    /// The log's message: what became of the entry.
    let note: String

    public init() {
        self.init(note: "malformed entry not broadcast")
    }

    init(note: String) {
        self.note = note
    }

    public func process(_ failed: Failed<StreamEntry>, into output: inout [Never], context: StageContext) {
        DecodeMetrics(pipeline: context.pipelineName, factory: context.metricsFactory).counter(for: failed.error)
            .increment()
        context.logger.notice(
            "\(self.note)",
            metadata: ["entry": "\(failed.item.id)", "reason": "\(failed.error)"]
        )
    }
}
