/// The messages and socket flushes of one event-loop pass, recorded in the metrics once at its end.
struct LiveFlushTally {
    private(set) var messages = 0
    private(set) var flushes = 0

    /// Adds one connection's flush of `messages` messages (0: it had nothing to flush).
    mutating func add(_ messages: Int) {
        guard messages > 0 else { return }
        self.messages += messages
        self.flushes += 1
    }

    func record(in metrics: LiveMetrics) {
        guard self.flushes > 0 else { return }
        metrics.messagesSent.increment(by: self.messages)
        metrics.flushes.increment(by: self.flushes)
    }
}
