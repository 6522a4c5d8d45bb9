import Flow

/// A batch whose entries may be acknowledged: everything the pipeline had to do with them is done.
public protocol AcknowledgeableBatch: Sendable {
    var entryIDs: [StreamID] { get }
}

extension WrittenBatch: AcknowledgeableBatch {}
extension TimingBatch: AcknowledgeableBatch {}

/// An entry that failed a stage: acknowledged on its own (``AcknowledgeMalformed``).
extension Failed: AcknowledgeableBatch where Item == StreamEntry {
    public var entryIDs: [StreamID] { [self.item.id] }
}

/// Acknowledges the entries of each written batch in their consumer group (`XACK`), which removes them from
/// the group's pending list, and from ``InFlightEntries``. durable-write's and race-timing's last stage.
///
/// - Important: It acknowledges exactly the entries a batch names, which the stage before makes only once
///   everything the pipeline does with them is done: ``WritePositions`` once their rows exist (inserted now
///   or already there), ``PublishCrossings`` once the `crossings` table and stream hold their consequences.
///   An acknowledged entry is never delivered again, and nothing is acknowledged before it is stored. A failed `XACK` is retried until it works
///   (``Flow/Retry/forever``); acknowledging an entry twice is harmless.
public struct Acknowledge<Batch: AcknowledgeableBatch>: ItemStage {
    public var options = ItemOptions<Batch>()
    let redis: any StreamCommands
    let stream: String
    let group: String
    let inFlight: InFlightEntries

    /// - Parameter inFlight: the entries the source read and the pipeline has not finished with.
    public init(redis: any StreamCommands, stream: String, group: String, inFlight: InFlightEntries) {
        self.redis = redis
        self.stream = stream
        self.group = group
        self.inFlight = inFlight
        self.options.errorPolicy = .retry(.forever)
    }

    public func process(_ written: Batch, into output: inout [Never], context: StageContext) async throws {
        try await self.redis.acknowledge(written.entryIDs, on: self.stream, group: self.group)
        self.inFlight.remove(written.entryIDs)
    }
}
