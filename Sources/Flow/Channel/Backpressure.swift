/// How much a channel between two stages may hold before its sender is suspended.
///
/// Backpressure is a named strategy value. A channel weighs what it holds: an item weighs one, unless it
/// is ``Weighted`` (a batch weighs its count). Once `high` waits, the next `send` suspends until the
/// receiving stage has taken enough that at most `low` remains. The suspension reaches every stage
/// upstream in turn, so a slow sink slows the source instead of growing memory. Because a batch weighs
/// what is in it, a bound stated in positions holds whether the positions travel one by one or in
/// batches.
///
/// Items travel between stages in chunks of whatever is ready, weighing at most ``maxChunk`` each (a
/// single item heavier than that travels alone). A channel never holds an item back to fill a chunk: a
/// receiver takes what is there the moment it asks.
///
/// - Important: A value is valid by construction: only ``watermark(low:high:maxChunk:)``,
///   ``capacity(_:)`` and ``default`` make one, and they check `0 <= low < high` and `maxChunk >= 1`.
public struct Backpressure: Sendable, Hashable, CustomStringConvertible {
    /// The sender resumes once at most this much weight waits.
    public let low: Int
    /// The sender suspends once this much weight waits.
    public let high: Int
    /// The most weight a receiver is handed at once. Chunks sent while the receiver is busy are merged up
    /// to this weight.
    public let maxChunk: Int

    private init(low: Int, high: Int, maxChunk: Int) {
        self.low = low
        self.high = high
        self.maxChunk = maxChunk
    }

    /// Suspends the sender at `high` waiting weight and resumes it at `low`.
    ///
    /// - Precondition: `0 <= low < high` and `maxChunk >= 1`.
    public static func watermark(low: Int, high: Int, maxChunk: Int = 256) -> Backpressure {
        precondition(low >= 0 && low < high, "watermark needs 0 <= low < high (got low: \(low), high: \(high))")
        precondition(maxChunk > 0, "maxChunk must be positive (got \(maxChunk))")
        return Backpressure(low: low, high: high, maxChunk: maxChunk)
    }

    /// Holds up to `capacity` weight, resuming the sender when half of it has been taken.
    ///
    /// - Precondition: `capacity >= 1`.
    public static func capacity(_ capacity: Int) -> Backpressure {
        precondition(capacity >= 1, "capacity must be at least 1 (got \(capacity))")
        return .watermark(low: capacity / 2, high: capacity, maxChunk: min(256, capacity))
    }

    /// The default between two stages: 1,024 items, resuming at 512, chunks of at most 256.
    public static let `default` = Backpressure.watermark(low: 512, high: 1024, maxChunk: 256)

    public var description: String { "watermark(low: \(low), high: \(high), maxChunk: \(maxChunk))" }
}

/// An item that weighs more than one in a channel's bound (``Backpressure``): a batch weighs its count.
///
/// ```swift
/// struct WrittenBatch: Weighted {
///     var entryIDs: [String]
///     var weight: Int { entryIDs.count }
/// }
/// ```
public protocol Weighted {
    /// What the item counts for in a channel's bound; values below 1 count as 1.
    var weight: Int { get }
}

/// A batch weighs its count (an empty one, one).
extension Array: Weighted {
    public var weight: Int { self.count }
}
