import Flow

/// Counts, logs and acknowledges an entry that cannot be decoded: race-timing's branch for ``Decode``'s
/// failures. durable-write is the pipeline that keeps them (``DeadLetter``); race-timing has nothing to
/// time in one, and acknowledges it in its own group so that it does not stay pending there.
///
/// Metric: `flowrun_decode_errors_total{pipeline,reason}`.
public struct AcknowledgeMalformed: ItemStage {
    public var options = ItemOptions<Failed<StreamEntry>>()
    let redis: any StreamCommands
    let stream: String
    let group: String
    let inFlight: InFlightEntries

    public init(redis: any StreamCommands, stream: String, group: String, inFlight: InFlightEntries) {
        self.redis = redis
        self.stream = stream
        self.group = group
        self.inFlight = inFlight
        self.options.errorPolicy = .retry(.forever)
    }

    public func process(_ failed: Failed<StreamEntry>, into output: inout [Never], context: StageContext) async throws {
        try await self.redis.acknowledge([failed.item.id], on: self.stream, group: self.group)
        self.inFlight.remove([failed.item.id])
        DecodeMetrics(pipeline: context.pipelineName, factory: context.metricsFactory).counter(for: failed.error)
            .increment()
        context.logger.notice(
            "malformed entry not timed (durable-write dead-letters it)",
            metadata: ["entry": "\(failed.item.id)", "reason": "\(failed.error)"]
        )
    }
}
