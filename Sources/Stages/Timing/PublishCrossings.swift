import Flow

/// Appends each change of a batch to the Redis Stream `timing:crossings` (CONTRACT §6.5), in order, once the
/// table holds it (all of a batch's changes in one round trip), and passes the batch on to be acknowledged. race-timing's `publish-crossings`.
///
/// Once appended, the changes leave the outbox (``TimingStore/published(_:)``); a change a crash kept from
/// the stream is still there at the next start, and ``publishLeftovers(store:redis:stream:)`` appends it
/// first.
///
/// - Important: Serial, after ``WriteCrossings``: the stream takes the table's changes in the order the table
///   took them, so replaying it gives the table. A failed append is retried until it works
///   (``Flow/Retry/forever``); a change appended again by a retry is harmless (an upsert or a remove repeated
///   gives the same table).
public struct PublishCrossings: ItemStage {
    public var options = ItemOptions<TimingBatch>()
    let redis: any StreamCommands
    let stream: String
    let store: any TimingStore
    let stats: TimingStats?

    public init(redis: any StreamCommands, stream: String, store: any TimingStore, stats: TimingStats? = nil) {
        self.redis = redis
        self.stream = stream
        self.store = store
        self.stats = stats
        self.options.errorPolicy = .retry(.forever)
    }

    public func process(_ batch: TimingBatch, into output: inout [TimingBatch], context: StageContext) async throws {
        guard !batch.changes.isEmpty else { return output.append(batch) }
        try await self.redis.append(to: self.stream, entries: batch.changes.map(\.streamFields))
        try await self.store.published(batch.outboxIDs)
        self.stats?.published(changes: batch.changes.count)
        output.append(batch)
    }

    /// Appends the changes left in the outbox (a crash came between the table and the stream), in order,
    /// and removes them from it; returns how many. race-timing calls it before it reads any position.
    public static func publishLeftovers(
        store: any TimingStore,
        redis: any StreamCommands,
        stream: String
    ) async throws -> Int {
        let leftovers = try await store.unpublished()
        try await redis.append(to: stream, entries: leftovers.map(\.change.streamFields))
        try await store.published(leftovers.map(\.id))
        return leftovers.count
    }
}
