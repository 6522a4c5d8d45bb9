import Flow

/// What race-timing made of one chunk of positions: the stream entries they came from, and the changes of
/// the `crossings` table they caused (often none). It weighs its entries in a channel's bound.
///
/// - Important: The entries may be acknowledged only once the table and the `timing:crossings` stream hold
///   every change.
public struct TimingBatch: Sendable, Hashable, Weighted {
    public var entryIDs: [StreamID]
    public var changes: [CrossingChange]
    /// The changes' ids in the outbox of changes to publish, once ``WriteCrossings`` wrote them.
    public var outboxIDs: [Int64]

    public init(entryIDs: [StreamID], changes: [CrossingChange], outboxIDs: [Int64] = []) {
        self.entryIDs = entryIDs
        self.changes = changes
        self.outboxIDs = outboxIDs
    }

    public var weight: Int { self.entryIDs.count }

    /// 1,000 changes: the most one batch carries. A batch's changes go to PostgreSQL in one statement and to
    /// Redis in one pipeline, each built in memory at once: a rebuild's 16,000 changes in one batch took
    /// 30 MB for a moment.
    public static let maxChanges = 1_000

    /// This batch as batches of at most `maxChanges` changes each, in order; the entries go with the last
    /// one, so that they are acknowledged only once every change is written and published.
    ///
    /// - Precondition: `maxChanges >= 1`.
    public func split(maxChanges: Int = TimingBatch.maxChanges) -> [TimingBatch] {
        precondition(maxChanges >= 1, "a batch carries at least one change")
        guard self.changes.count > maxChanges else { return [self] }
        let starts = Array(stride(from: 0, to: self.changes.count, by: maxChanges))
        return starts.map { start in
            let changes = Array(self.changes[start..<min(start + maxChanges, self.changes.count)])
            return TimingBatch(entryIDs: start == starts.last ? self.entryIDs : [], changes: changes)
        }
    }
}
