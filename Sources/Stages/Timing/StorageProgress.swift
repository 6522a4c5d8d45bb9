/// Whether the positions a timing pipeline has read are stored yet. An event's rebuild reads `positions`,
/// which durable-write fills; race-timing acknowledges a position once its crossings are written, so a
/// rebuild that ran before durable-write stored a position race-timing had already acknowledged would miss
/// it for good (its crossings removed, the entry never delivered to race-timing again). ``TimeCrossings``
/// asks before each rebuild and waits while the answer is ``StorageCatchUp/behind(through:pending:undelivered:)``.
/// ``RedisStorageProgress`` asks the stream's consumer groups; a unit test gives a fake.
public protocol StorageProgress: Sendable {
    /// Whether the storing group has acknowledged every entry the timing group has read.
    func catchUp() async throws -> StorageCatchUp
}

/// What ``StorageProgress/catchUp()`` found.
public enum StorageCatchUp: Sendable, Hashable {
    /// Every entry the timing group has read is acknowledged by the storing group (stored, found stored
    /// already, or dead-lettered): `positions` holds every valid position among them.
    case stored
    /// The storing group has not acknowledged every entry up to `through` (the timing group's last read
    /// entry): `pending` of its entries are read and not acknowledged, and `undelivered` of the stream's
    /// entries up to `through` it has not read yet (nil when Redis cannot tell).
    case behind(through: StreamID, pending: Int64?, undelivered: Int64?)
    /// The stream has no storing group (`group`): nothing stores its positions that could be waited for,
    /// and the rebuild reads what `positions` holds now.
    case noStoringGroup(group: String)
}
