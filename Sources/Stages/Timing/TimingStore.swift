/// What race-timing reads and writes besides the stream: the stored fixes it rebuilds an event from, and
/// the `crossings` table (``PostgresTimingStore``, or a fake in a unit test).
public protocol TimingStore: Sendable {
    /// `device`'s stored positions from `from` to `to` (µs, each open when nil), in `ts` order, with their
    /// `received_at`.
    func storedFixes(of device: String, from: Int64?, to: Int64?) async throws -> [TrackFix]

    /// `event`'s rows of the `crossings` table.
    func storedCrossings(of event: String) async throws -> [CrossingRecord]

    /// Applies `changes` to the `crossings` table in order, in one transaction: when it returns, the table
    /// holds them all; when it throws, none.
    func apply(_ changes: [CrossingChange]) async throws
}
