import CoreMetrics
import Synchronization

/// The live server's metrics (Prometheus conventions: units in names, `_total` counters):
///
/// | metric | type | meaning |
/// |---|---|---|
/// | `flowrun_live_connections` | gauge | open WebSocket connections |
/// | `flowrun_live_subscriptions` | gauge | (connection, topic) subscriptions, set up or being set up |
/// | `flowrun_live_messages_sent_total` | counter | WebSocket text frames written to clients |
/// | `flowrun_live_flushes_total` | counter | socket flushes that wrote them (messages ÷ flushes = frames per write) |
/// | `flowrun_live_positions_coalesced_total` | counter | positions replaced by a newer one of their device before a slow client got them |
/// | `flowrun_live_positions_dropped_total` | counter | positions dropped because a slow client's queue was full of other devices |
/// | `flowrun_live_slow_client_closes_total` | counter | connections closed for staying behind too long |
/// | `flowrun_live_upgrades_total{result}` | counter | WebSocket upgrades: `accepted`, `unauthenticated`, `unavailable` |
///
/// - Important: Thread-safe. Per-delivery counts are added up per event-loop pass and recorded once, not
///   per message.
final class LiveMetrics: Sendable {
    let messagesSent: Counter
    let flushes: Counter
    let positionsCoalesced: Counter
    let positionsDropped: Counter
    let slowClientCloses: Counter
    let upgradesAccepted: Counter
    let upgradesUnauthenticated: Counter
    let upgradesUnavailable: Counter
    private let connections: Gauge
    private let subscriptions: Gauge
    private let connectionCount = Atomic<Int>(0)
    private let subscriptionCount = Atomic<Int>(0)

    init(factory: any MetricsFactory) {
        self.messagesSent = Counter(label: "flowrun_live_messages_sent_total", factory: factory)
        self.flushes = Counter(label: "flowrun_live_flushes_total", factory: factory)
        self.positionsCoalesced = Counter(label: "flowrun_live_positions_coalesced_total", factory: factory)
        self.positionsDropped = Counter(label: "flowrun_live_positions_dropped_total", factory: factory)
        self.slowClientCloses = Counter(label: "flowrun_live_slow_client_closes_total", factory: factory)
        func upgrades(_ result: String) -> Counter {
            Counter(label: "flowrun_live_upgrades_total", dimensions: [("result", result)], factory: factory)
        }
        self.upgradesAccepted = upgrades("accepted")
        self.upgradesUnauthenticated = upgrades("unauthenticated")
        self.upgradesUnavailable = upgrades("unavailable")
        self.connections = Gauge(label: "flowrun_live_connections", factory: factory)
        self.subscriptions = Gauge(label: "flowrun_live_subscriptions", factory: factory)
        self.connections.record(0)
        self.subscriptions.record(0)
    }

    /// Adds `delta` (±1) to the open connections.
    func connectionsChanged(by delta: Int) {
        self.connections.record(self.connectionCount.wrappingAdd(delta, ordering: .relaxed).newValue)
    }

    /// Adds `delta` (±1) to the subscriptions.
    func subscriptionsChanged(by delta: Int) {
        self.subscriptions.record(self.subscriptionCount.wrappingAdd(delta, ordering: .relaxed).newValue)
    }
}
