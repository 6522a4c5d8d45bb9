import Flow

/// Appends each change of a batch to the Redis Stream `timing:crossings` (CONTRACT §6.5), in order, once the
/// table holds it, and passes the batch on to be acknowledged. race-timing's `publish-crossings`.
///
/// - Important: Serial, after ``WriteCrossings``: the stream takes the table's changes in the order the table
///   took them, so replaying it gives the table. A failed append is retried until it works
///   (``Flow/Retry/forever``); a change appended again by a retry is harmless (an upsert or a remove repeated
///   gives the same table).
public struct PublishCrossings: ItemStage {
    public var options = ItemOptions<TimingBatch>()
    let redis: any StreamCommands
    let stream: String
    let stats: TimingStats?

    public init(redis: any StreamCommands, stream: String, stats: TimingStats? = nil) {
        self.redis = redis
        self.stream = stream
        self.stats = stats
        self.options.errorPolicy = .retry(.forever)
    }

    public func process(_ batch: TimingBatch, into output: inout [TimingBatch], context: StageContext) async throws {
        for change in batch.changes {
            try await self.redis.append(to: self.stream, fields: change.streamFields)
        }
        self.stats?.published(changes: batch.changes.count)
        output.append(batch)
    }
}
