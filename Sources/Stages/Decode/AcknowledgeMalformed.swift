import Flow

/// Counts, logs and acknowledges an entry that cannot be decoded: race-timing's branch for ``Decode``'s
/// failures. durable-write is the pipeline that keeps them (``DeadLetter``); race-timing has nothing to
/// time in one, and acknowledges it in its own group so that it does not stay pending there.
///
/// It is ``Acknowledge`` of the one entry (with its retries: a failed `XACK` is retried until it works),
/// then ``ReportMalformed``'s count and log, so an entry is counted once, when acknowledged.
///
/// Metric: `flowrun_decode_errors_total{pipeline,reason}`.
public struct AcknowledgeMalformed: ItemStage {
    public var options: ItemOptions<Failed<StreamEntry>>
    let acknowledge: Acknowledge<Failed<StreamEntry>>
    let report = ReportMalformed(note: "malformed entry not timed (durable-write dead-letters it)")

    public init(redis: any StreamCommands, stream: String, group: String, inFlight: InFlightEntries) {
        self.acknowledge = Acknowledge(redis: redis, stream: stream, group: group, inFlight: inFlight)
        self.options = self.acknowledge.options
    }

    public func process(_ failed: Failed<StreamEntry>, into output: inout [Never], context: StageContext) async throws {
        try await self.acknowledge.process(failed, into: &output, context: context)
        self.report.process(failed, into: &output, context: context)
    }
}
