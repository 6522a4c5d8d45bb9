import Synchronization

/// durable-write's running totals since start, readable at any time (for the progress line and tests).
public final class DurableWriteStats: Sendable {
    private let counts = Mutex((inserted: 0, duplicates: 0, deadLettered: 0))

    public init() {}

    public var inserted: Int { self.counts.withLock { $0.inserted } }
    public var duplicates: Int { self.counts.withLock { $0.duplicates } }
    public var deadLettered: Int { self.counts.withLock { $0.deadLettered } }

    func record(_ outcome: WriteOutcome) {
        self.counts.withLock {
            $0.inserted += outcome.inserted
            $0.duplicates += outcome.duplicates
        }
    }

    func recordDeadLettered() {
        self.counts.withLock { $0.deadLettered += 1 }
    }
}
