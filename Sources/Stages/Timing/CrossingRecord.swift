/// An entry's counted crossing of a checkpoint (CONTRACT §6.4 a `crossings` row, §6.5 a crossing).
public struct CrossingRecord: Sendable, Hashable {
    /// Lowercase UUIDs.
    public var event: String
    public var entry: String
    public var checkpoint: String
    public var seq: Int
    /// The IMEI of the entry's device that counted it.
    public var device: String
    /// The crossing time, µs since the epoch, rounded to the millisecond.
    public var timestamp: Int64

    public init(event: String, entry: String, checkpoint: String, seq: Int, device: String, timestamp: Int64) {
        self.event = event.lowercased()
        self.entry = entry.lowercased()
        self.checkpoint = checkpoint.lowercased()
        self.seq = seq
        self.device = device
        self.timestamp = timestamp
    }

    /// The row's identity: `(entry_id, checkpoint_id)`.
    public var key: Key { Key(entry: self.entry, checkpoint: self.checkpoint) }

    public struct Key: Sendable, Hashable, Comparable {
        public var entry: String
        public var checkpoint: String

        public init(entry: String, checkpoint: String) {
            self.entry = entry
            self.checkpoint = checkpoint
        }

        public static func < (a: Key, b: Key) -> Bool { (a.entry, a.checkpoint) < (b.entry, b.checkpoint) }
    }
}

/// A change of the `crossings` table (CONTRACT §6.5): `upsert` a counted crossing that appeared or changed,
/// `remove` one that disappeared (with the row as it was).
public struct CrossingChange: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable {
        case upsert, remove
    }

    public var operation: Operation
    public var crossing: CrossingRecord

    public init(_ operation: Operation, _ crossing: CrossingRecord) {
        self.operation = operation
        self.crossing = crossing
    }
}
