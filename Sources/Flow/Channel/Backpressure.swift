/// How much a channel between two stages may hold before its sender is suspended.
///
/// Backpressure is a named strategy value. A channel counts the *items* it holds (not the chunks
/// they travel in): once `high` items wait, the next `send` suspends until the receiving stage has
/// taken enough that at most `low` remain. The suspension reaches every stage upstream in turn, so a
/// slow sink slows the source instead of growing memory.
///
/// Items travel between stages in chunks of whatever is ready, at most ``maxChunk`` items each. A
/// channel never holds an item back to fill a chunk: a receiver takes what is there the moment it asks.
public struct Backpressure: Sendable, Hashable, CustomStringConvertible {
    /// The sender resumes once at most this many items wait.
    public var low: Int
    /// The sender suspends once this many items wait.
    public var high: Int
    /// The largest chunk a receiver is handed at once. Chunks sent while the receiver is busy are
    /// merged up to this size.
    public var maxChunk: Int

    /// Suspends the sender at `high` waiting items and resumes it at `low`.
    ///
    /// - Precondition: `0 <= low < high`.
    public static func watermark(low: Int, high: Int, maxChunk: Int = 256) -> Backpressure {
        precondition(low >= 0 && low < high, "watermark needs 0 <= low < high (got low: \(low), high: \(high))")
        precondition(maxChunk > 0, "maxChunk must be positive (got \(maxChunk))")
        return Backpressure(low: low, high: high, maxChunk: maxChunk)
    }

    /// Holds up to `capacity` items, resuming the sender when half of them have been taken.
    public static func capacity(_ capacity: Int) -> Backpressure {
        precondition(capacity >= 1, "capacity must be at least 1 (got \(capacity))")
        return .watermark(low: capacity / 2, high: capacity, maxChunk: min(256, capacity))
    }

    /// The default between two stages: 1,024 items, resuming at 512, chunks of at most 256.
    public static let `default` = Backpressure.watermark(low: 512, high: 1024, maxChunk: 256)

    public var description: String { "watermark(low: \(low), high: \(high), maxChunk: \(maxChunk))" }
}
