/// A simulator as ``StreamAppender`` drives it: ticks of entries, each at a device time.
///
/// - Important: No entry of a tick has a timestamp later than the tick's ``nextTickTime`` (the appender
///   appends a tick only once the wall clock has reached it, so device time never runs ahead of it).
public protocol SimulatedTicks: Sendable {
    /// The device time of the next tick, µs since the epoch.
    var nextTickTime: Int64 { get }
    /// The entries of the next tick, in the order to append them.
    mutating func nextTick() -> [TrackSimulator.Entry]
    /// The true gate crossings found by the ticks since the last call (see ``TruthCrossing``).
    mutating func takeCrossings() -> [TruthCrossing]
}

extension TrackSimulator: SimulatedTicks {
    /// Devices driving at random cross no course: none.
    public mutating func takeCrossings() -> [TruthCrossing] { [] }
}
