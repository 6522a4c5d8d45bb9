/// Where durable-write stores positions: the `positions` table (``PositionWriter``), or a fake in a unit test.
///
/// - Important: When `write` returns, every position of the batch has a row (inserted now or already there):
///   every entry of the batch may be acknowledged. When it throws, nothing of the batch may be acknowledged;
///   the batch is written again. Writing a position that is stored already is a counted duplicate, not an
///   error (CONTRACT §2: the first one stored wins).
public protocol PositionStore: Sendable {
    func write(_ batch: [PositionEntry]) async throws -> WriteOutcome
}

/// What writing one batch found: rows inserted now, and positions already stored (`batch − inserted`, exact
/// also when one batch holds the same position twice).
public struct WriteOutcome: Sendable, Hashable {
    public var inserted: Int
    public var duplicates: Int

    public init(inserted: Int, duplicates: Int) {
        self.inserted = inserted
        self.duplicates = duplicates
    }
}

/// The newest stored position time of devices, to start their state right after a restart.
public protocol StoredPositionTimes: Sendable {
    /// Each given device that has a stored position → the newest one's time, in µs since the epoch.
    func latest(of devices: [String]) async throws -> [String: Int64]
}

extension LatestStoredPositions: StoredPositionTimes {}
