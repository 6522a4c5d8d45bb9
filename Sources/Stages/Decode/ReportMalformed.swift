import Flow

/// Counts and logs an entry that cannot be decoded, and lets it go: live-broadcast's branch for ``Decode``'s
/// failures (durable-write is the pipeline that dead-letters them, see ``DeadLetter``).
///
/// Metric: `flowrun_decode_errors_total{pipeline,reason}`.
public struct ReportMalformed: ItemStage {
    public var options = ItemOptions<Failed<StreamEntry>>()

    public init() {}

    public func process(_ failed: Failed<StreamEntry>, into output: inout [Never], context: StageContext) {
        DecodeMetrics(pipeline: context.pipelineName, factory: context.metricsFactory).counter(for: failed.error)
            .increment()
        context.logger.notice(
            "malformed entry not broadcast",
            metadata: ["entry": "\(failed.item.id)", "reason": "\(failed.error)"]
        )
    }
}
