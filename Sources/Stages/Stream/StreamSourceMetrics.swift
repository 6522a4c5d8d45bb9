import CoreMetrics

/// A ``StreamSource``'s metrics, labelled `pipeline`:
///
/// | metric | meaning |
/// |---|---|
/// | `flowrun_stream_claimed_total` | entries claimed from the group's pending list (`XCLAIM`) |
/// | `flowrun_stream_pending_entries{consumer}` | each consumer's pending entries |
/// | `flowrun_stream_pending_oldest_seconds{consumer}` | how long each consumer's oldest pending entry has been idle |
///
/// The two gauges are set when the source checks the pending list (at the start of each claim pass, and at
/// the end of one that claimed page after page), not on every read. A consumer with nothing pending has no
/// gauges: they are removed, so `/metrics` does not keep showing a consumer that left.
///
/// - Important: Not `Sendable`: one per source run, used only by its loop.
struct StreamSourceMetrics {
    static let claimedMetric = "flowrun_stream_claimed_total"
    static let pendingMetric = "flowrun_stream_pending_entries"
    static let oldestMetric = "flowrun_stream_pending_oldest_seconds"

    let pipeline: String
    let factory: any MetricsFactory
    private let claimed: Counter
    private var gauges: [String: (pending: Gauge, oldest: Gauge)] = [:]

    init(pipeline: String, factory: any MetricsFactory) {
        self.pipeline = pipeline
        self.factory = factory
        self.claimed = Counter(label: Self.claimedMetric, dimensions: [("pipeline", pipeline)], factory: factory)
    }

    mutating func recordClaimed(_ count: Int) {
        if count > 0 { self.claimed.increment(by: count) }
    }

    /// Sets each consumer's gauges, and removes those of consumers no longer listed.
    mutating func record(_ consumers: [ConsumerPending]) {
        let listed = Set(consumers.map(\.consumer))
        for consumer in self.gauges.keys where !listed.contains(consumer) {
            guard let gone = self.gauges.removeValue(forKey: consumer) else { continue }
            gone.pending.destroy()
            gone.oldest.destroy()
        }
        for consumer in consumers {
            let gauges = self.gauges[consumer.consumer] ?? self.makeGauges(consumer.consumer)
            self.gauges[consumer.consumer] = gauges
            gauges.pending.record(consumer.count)
            gauges.oldest.record(Double((consumer.oldestIdle ?? .zero).milliseconds) / 1000)
        }
    }

    private func makeGauges(_ consumer: String) -> (pending: Gauge, oldest: Gauge) {
        let dimensions = [("pipeline", self.pipeline), ("consumer", consumer)]
        return (
            Gauge(label: Self.pendingMetric, dimensions: dimensions, factory: self.factory),
            Gauge(label: Self.oldestMetric, dimensions: dimensions, factory: self.factory)
        )
    }
}
