import Flow
import Synchronization

/// Where live positions go to the browsers: the WebSocket server's hub (``LiveHub``), or a fake in a unit
/// test.
public protocol LivePublisher: Sendable {
    /// Sends `position` to the subscribers of each event of `events`; never waits for a browser.
    func publish(_ position: LivePosition, to events: Set<String>)
}

extension LiveHub: LivePublisher {
    public func publish(_ position: LivePosition, to events: Set<String>) {
        self.publish(position, to: events.lazy)  // the hub's own, generic publish
    }
}

/// Hands each position to the subscribers of its events (``LivePublisher``). live-broadcast's last stage.
///
/// - Important: Never waits for a browser: the publisher queues what a connection cannot take yet, bounded
///   per connection (see ``LiveHub``), so a slow browser never slows the pipeline.
public struct FanOut: ItemStage {
    public var options = ItemOptions<EventDelivery>()
    let publisher: any LivePublisher
    let stats: LiveBroadcastStats?

    /// - Parameter stats: counts the positions broadcast, for the progress line.
    public init(publisher: any LivePublisher, stats: LiveBroadcastStats? = nil) {
        self.publisher = publisher
        self.stats = stats
    }

    public func process(_ delivery: EventDelivery, into output: inout [Never], context: StageContext) {
        self.publisher.publish(delivery.position, to: delivery.events)
        self.stats?.recordBroadcast()
    }
}

/// live-broadcast's running totals since start, readable at any time (for the progress line and tests).
public final class LiveBroadcastStats: Sendable {
    private let broadcast = Atomic<Int>(0)

    public init() {}

    /// Positions handed to the fan-out (each to the subscribers of every event of its device).
    public var positionsBroadcast: Int { self.broadcast.load(ordering: .relaxed) }

    func recordBroadcast() {
        self.broadcast.add(1, ordering: .relaxed)
    }
}
