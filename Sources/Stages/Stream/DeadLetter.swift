import CoreMetrics
import Flow
import Logging

/// What becomes of a stream entry that cannot be decoded, in durable-write: the branch ``Decode`` routes
/// its failures to.
///
/// Below `maxDeliveries` deliveries the entry stays pending: it is counted and logged, leaves
/// ``InFlightEntries``, and is delivered again later (claimed once idle). Once delivered `maxDeliveries`
/// times it is appended to the dead-letter stream with its id, every field and the reason, and only then
/// acknowledged. Nothing is dropped silently.
///
/// A dead-letter entry has the fields `entry_id`, `reason` (one line naming what is wrong and where),
/// `code` (the reason's short code), `deliveries`, and each original field as `field:<name>`.
///
/// Metrics: `flowrun_decode_errors_total{pipeline,reason}` for every malformed delivery,
/// `flowrun_dead_lettered_total{pipeline}` for every entry moved to the dead-letter stream.
///
/// - Important: The append comes before the acknowledgement, and a failed Redis command is retried until it
///   works (``Flow/Retry/forever``). If acknowledging fails and is retried, the entry is appended again: the
///   dead-letter stream may hold an entry twice, never zero times.
public struct DeadLetter: ItemStage {
    /// Where the entries come from and where the dead ones go.
    public struct Settings: Sendable, Hashable {
        public var stream: String
        public var group: String
        public var deadLetterStream: String
        /// Deliveries after which a malformed entry is dead-lettered, ≥ 1.
        public var maxDeliveries: Int

        public init(stream: String, group: String, deadLetterStream: String, maxDeliveries: Int) {
            precondition(maxDeliveries >= 1, "max_deliveries must be at least 1")
            self.stream = stream
            self.group = group
            self.deadLetterStream = deadLetterStream
            self.maxDeliveries = maxDeliveries
        }
    }

    /// What happened to one malformed entry.
    public enum Outcome: Sendable, Equatable {
        /// Left pending to be delivered again.
        case leftPending
        /// Appended to the dead-letter stream and acknowledged.
        case deadLettered
    }

    public var options = ItemOptions<Failed<StreamEntry>>()
    let redis: any StreamCommands
    let settings: Settings
    let inFlight: InFlightEntries
    let stats: DurableWriteStats?

    /// - Parameters:
    ///   - inFlight: the entries the source read and the pipeline has not finished with (``InFlightEntries``).
    ///   - stats: counts the entries dead-lettered, for the progress line.
    public init(
        redis: any StreamCommands,
        settings: Settings,
        inFlight: InFlightEntries,
        stats: DurableWriteStats? = nil
    ) {
        self.redis = redis
        self.settings = settings
        self.inFlight = inFlight
        self.stats = stats
        self.options.errorPolicy = .retry(.forever)
    }

    public func process(_ failed: Failed<StreamEntry>, into output: inout [Never], context: StageContext) async throws {
        let factory = context.metricsFactory
        DecodeMetrics(pipeline: context.pipelineName, factory: factory).counter(for: failed.error).increment()
        let entry = failed.item
        let metadata: Logger.Metadata = [
            "entry": "\(entry.id)", "deliveries": "\(entry.deliveries)",
            "max_deliveries": "\(self.settings.maxDeliveries)", "reason": "\(failed.error)",
        ]
        switch try await self.handle(entry, failure: failed.error) {
        case .leftPending:
            context.logger.warning("malformed entry left pending; it is delivered again later", metadata: metadata)
        case .deadLettered:
            Counter(
                label: "flowrun_dead_lettered_total",
                dimensions: [("pipeline", context.pipelineName)],
                factory: factory
            )
            .increment()
            self.stats?.recordDeadLettered()
            var metadata = metadata
            metadata["dead_letter_stream"] = "\(self.settings.deadLetterStream)"
            context.logger.error("malformed entry moved to the dead-letter stream", metadata: metadata)
        }
    }

    /// Leaves `entry` pending, or appends it to the dead-letter stream and acknowledges it.
    func handle(_ entry: StreamEntry, failure: any Error) async throws(RedisError) -> Outcome {
        guard entry.deliveries >= self.settings.maxDeliveries else {
            // No longer in flight: once idle it is claimed and delivered again.
            self.inFlight.remove([entry.id])
            return .leftPending
        }
        let reason = (failure as? DecodeError).map(\.description) ?? "\(failure)"
        var fields = [
            StreamEntry.Field(name: "entry_id", value: Array(entry.id.description.utf8)),
            StreamEntry.Field(name: "reason", value: Array(reason.utf8)),
            StreamEntry.Field(name: "code", value: Array(DecodeMetrics.code(of: failure).utf8)),
            StreamEntry.Field(name: "deliveries", value: Array(String(entry.deliveries).utf8)),
        ]
        for field in entry.fields { fields.append(StreamEntry.Field(name: "field:" + field.name, value: field.value)) }
        try await self.redis.append(to: self.settings.deadLetterStream, fields: fields)
        try await self.redis.acknowledge([entry.id], on: self.settings.stream, group: self.settings.group)
        self.inFlight.remove([entry.id])
        return .deadLettered
    }
}
