import NIOCore

/// Where the pipeline hands live positions to the WebSocket clients: ``publish(_:to:)``.
///
/// A position is encoded once per topic, as a whole WebSocket frame, and that one buffer is queued to each
/// event loop that has subscribers of the topic; the loop writes it to each of them (see ``LiveLoop``).
/// The publisher never waits for a client: what waits for a slow one is bounded per connection.
///
/// - Important: Thread-safe and cheap: call it from the fan-out stage's task at any rate. A position is
///   delivered to the subscriptions that exist when it is published, in publish order per topic: publish
///   one device's positions from one task, oldest first (the hub neither reorders nor filters them; it
///   sends what it is given, so faulty or out-of-order positions are the caller's to drop).
public final class LiveHub: Sendable {
    let directory: LiveTopicDirectory
    let loops: [LiveLoop]
    private let loopIndex: [ObjectIdentifier: Int]

    init(eventLoopGroup: any EventLoopGroup, flushDelay: TimeAmount, metrics: LiveMetrics) {
        var eventLoops: [any EventLoop] = []
        for eventLoop in eventLoopGroup.makeIterator() { eventLoops.append(eventLoop) }
        let directory = LiveTopicDirectory(loopCount: eventLoops.count)
        self.directory = directory
        self.loops = eventLoops.enumerated().map { index, eventLoop in
            LiveLoop(
                eventLoop: eventLoop,
                index: index,
                flushDelay: flushDelay,
                directory: directory,
                metrics: metrics
            )
        }
        var loopIndex: [ObjectIdentifier: Int] = [:]
        for (index, eventLoop) in eventLoops.enumerated() { loopIndex[ObjectIdentifier(eventLoop)] = index }
        self.loopIndex = loopIndex
    }

    /// Sends `position` to the subscribers of `event:<id>` for each id of `events` (event UUIDs, either
    /// letter case). Returns at once; an event without subscribers costs one dictionary look-up.
    public func publish(_ position: LivePosition, to events: some Sequence<String>) {
        for event in events {
            var canonical = event
            var route = self.directory.route(event: event)
            if route == nil, event.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
                canonical = event.lowercased()
                route = self.directory.route(event: canonical)
            }
            guard let route else { continue }
            let frame = LiveFrame(
                topic: route.topic,
                deviceID: position.deviceID,
                timestamp: position.timestamp,
                bytes: LiveMessage.position(position, topic: LiveTopic(canonicalEvent: canonical))
            )
            for (index, subscribers) in route.subscribersPerLoop.enumerated() where subscribers > 0 {
                self.loops[index].enqueue(frame)
            }
        }
    }

    /// Sends a `crossing` (an upsert) or `crossing-removed` (a remove) to the subscribers of the change's
    /// event (CONTRACT §6.5). Returns at once; like a position, it waits for a slow client in its bounded
    /// queue, but is never replaced by a newer message.
    public func publish(_ change: CrossingChange) {
        let event = change.crossing.event
        guard let route = self.directory.route(event: event) else { return }
        let frame = LiveFrame(
            topic: route.topic,
            deviceID: change.crossing.device,
            timestamp: change.crossing.timestamp,
            bytes: LiveMessage.timing(change, topic: LiveTopic(canonicalEvent: event)),
            kind: .timing
        )
        for (index, subscribers) in route.subscribersPerLoop.enumerated() where subscribers > 0 {
            self.loops[index].enqueue(frame)
        }
    }

    /// The hub's share of the loop a connection runs on.
    func loop(for eventLoop: any EventLoop) -> LiveLoop {
        guard let index = self.loopIndex[ObjectIdentifier(eventLoop)] else {
            preconditionFailure("a live connection runs on an event loop of the server's group")
        }
        return self.loops[index]
    }
}
