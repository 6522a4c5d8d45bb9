import Stages
import Synchronization

/// The fan-out's publisher while the WebSocket server does not exist yet: live-broadcast is built (for
/// `flowrun check`, or before a restart) without binding a port or starting the server's threads, and its
/// server's hub is attached when ``LiveBroadcast/run()`` has started it.
///
/// - Important: Positions and crossings published before a hub is attached reach nobody, as they would on a server with no
///   subscribers; the pipeline starts reading only after the hub is attached.
final class DeferredPublisher: LivePublisher, LiveCrossingPublisher {
    private let hub = Mutex<LiveHub?>(nil)

    func attach(_ hub: LiveHub) {
        self.hub.withLock { $0 = hub }
    }

    func publish(_ position: LivePosition, to events: Set<String>) {
        self.hub.withLock { $0 }?.publish(position, to: events)
    }

    func publish(_ change: CrossingChange) {
        self.hub.withLock { $0 }?.publish(change)
    }
}
