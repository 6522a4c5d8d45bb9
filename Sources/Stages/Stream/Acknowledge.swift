import Flow

/// Acknowledges the entries of each written batch in their consumer group (`XACK`), which removes them from
/// the group's pending list, and from ``InFlightEntries``. durable-write's last stage.
///
/// - Important: It acknowledges exactly the entries a ``WrittenBatch`` names, which ``WritePositions`` makes
///   only once their rows exist (inserted now or already there): an acknowledged entry is never delivered
///   again, and nothing is acknowledged before it is stored. A failed `XACK` is retried until it works
///   (``Flow/Retry/forever``); acknowledging an entry twice is harmless.
public struct Acknowledge: ItemStage {
    public var options = ItemOptions<WrittenBatch>()
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

    public func process(_ written: WrittenBatch, into output: inout [Never], context: StageContext) async throws {
        try await self.redis.acknowledge(written.entryIDs, on: self.stream, group: self.group)
        self.inFlight.remove(written.entryIDs)
    }
}
