import Synchronization

/// race-timing's running totals, for the progress line and `flowrun top`.
public final class TimingStats: Sendable {
    private let counts = Mutex<(positions: Int, changes: Int, tooLate: Int, crossings: Int)>((0, 0, 0, 0))

    public init() {}

    /// Positions taken (including those too late or in no timed event).
    public var positions: Int { self.counts.withLock { $0.positions } }
    /// Changes of the `crossings` table written and published.
    public var changes: Int { self.counts.withLock { $0.changes } }
    /// Positions too late to be timed.
    public var tooLate: Int { self.counts.withLock { $0.tooLate } }

    /// Crossings counted now, in all events timed (the rows the `crossings` table holds for them).
    public var crossings: Int { self.counts.withLock { $0.crossings } }

    func took(positions: Int, tooLate: Int, crossings: Int) {
        self.counts.withLock {
            $0.positions += positions
            $0.tooLate += tooLate
            $0.crossings = crossings
        }
    }

    func published(changes: Int) {
        self.counts.withLock { $0.changes += changes }
    }
}
