import Flow

/// Writes each batch's changes to the `crossings` table and to the outbox of changes to publish
/// (``TimingStore/apply(_:)``, one transaction) and passes the batch on, with the changes' outbox ids. race-timing's `write-crossings`.
///
/// - Important: A batch leaves this stage only once the table holds its changes; a failed write is retried
///   with backoff until it works (``Flow/Retry/forever``), its entries staying pending meanwhile. Serial, so
///   that the table and the stream take changes in the order they were made.
public struct WriteCrossings: ItemStage {
    public var options = ItemOptions<TimingBatch>()
    let store: any TimingStore

    public init(store: any TimingStore) {
        self.store = store
        self.options.errorPolicy = .retry(.forever)
    }

    public func process(_ batch: TimingBatch, into output: inout [TimingBatch], context: StageContext) async throws {
        var written = batch
        written.outboxIDs = try await self.store.apply(batch.changes)
        output.append(written)
    }
}
