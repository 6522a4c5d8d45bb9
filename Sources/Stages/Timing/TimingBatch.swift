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
}
