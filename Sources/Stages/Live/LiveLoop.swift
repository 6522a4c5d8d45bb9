import NIOCore
import Synchronization

/// One event loop's share of the ``LiveHub``: an inbox that publishers append position frames to from any
/// thread, and the subscriptions of the connections on that loop, which only the loop touches.
///
/// The inbox is drained by one task on the loop, scheduled when it goes from empty to non-empty: a burst of
/// publishes costs one hop, and each connection it touches is flushed once per pass, not once per message.
///
/// With a ``flushDelay`` above zero, a connection's writes are flushed that long after its first unflushed
/// one, so that the positions of the next passes share its socket write: one system call, one TCP segment
/// and one wake-up of the client for several positions, which is most of what a delivery costs. No
/// position waits longer than the delay; control messages (answers to requests) are flushed at once.
///
/// - Important: ``enqueue(_:)`` is thread-safe (the inbox mutex is held only to append or to swap the batch
///   out). Everything else runs on ``eventLoop``.
final class LiveLoop: Sendable {
    let eventLoop: any EventLoop
    /// This loop's index in the hub and in ``LiveTopicDirectory/Route/subscribersPerLoop``.
    let index: Int
    /// How long a connection's first unflushed position waits for more to share its socket write; zero
    /// flushes at the end of each pass.
    let flushDelay: TimeAmount
    private let directory: LiveTopicDirectory
    private let metrics: LiveMetrics
    private let inbox = Mutex(Inbox())
    private let local: NIOLoopBoundBox<Local>

    private struct Inbox {
        var frames: [LiveFrame] = []
        var isDrainScheduled = false
    }

    /// The loop-confined part.
    private final class Local {
        /// Topic number → the subscriptions to it of this loop's connections.
        var subscribers: [Int: [LiveSubscription]] = [:]
        /// The emptied batch array of the previous pass, swapped into the inbox next time to reuse its storage.
        var spare: [LiveFrame] = []
        /// The connections that got their first unflushed write in the current pass.
        var touched: [LiveConnectionHandler] = []
        /// Connections with unflushed writes and when each is due to be flushed, in due order (the delay is
        /// the same for all). A connection flushed early meanwhile (a control message) is flushed for nothing.
        var waiting = CircularBuffer<(due: NIODeadline, connection: LiveConnectionHandler)>()
        /// Fires when the first of `waiting` is due; `nil` while nothing waits.
        var flushTimer: Scheduled<Void>?
    }

    init(
        eventLoop: any EventLoop,
        index: Int,
        flushDelay: TimeAmount,
        directory: LiveTopicDirectory,
        metrics: LiveMetrics
    ) {
        self.eventLoop = eventLoop
        self.index = index
        self.flushDelay = flushDelay
        self.directory = directory
        self.metrics = metrics
        self.local = .makeBoxSendingValue(Local(), eventLoop: eventLoop)
    }

    /// Queues `frame` for this loop's subscribers of its topic. Callable from any thread.
    func enqueue(_ frame: LiveFrame) {
        let scheduleDrain = self.inbox.withLock { inbox in
            inbox.frames.append(frame)
            guard !inbox.isDrainScheduled else { return false }
            inbox.isDrainScheduled = true
            return true
        }
        if scheduleDrain { self.eventLoop.execute { self.drain() } }
    }

    /// Subscribes `connection` (of this loop) to `topic`, which it does not subscribe to yet. On the loop.
    func subscribe(_ connection: LiveConnectionHandler, to topic: LiveTopic) {
        let topicID = self.directory.join(event: topic.event, loop: self.index)
        let subscription = LiveSubscription(connection: connection, topic: topic)
        self.local.value.subscribers[topicID, default: []].append(subscription)
        self.metrics.subscriptionsChanged(by: 1)
    }

    /// Ends the subscription of `connection` to `topic`: no position of it is delivered to the connection after
    /// this returns. On the loop.
    func unsubscribe(_ connection: LiveConnectionHandler, from topic: LiveTopic) {
        let local = self.local.value
        let topicID = self.directory.leave(event: topic.event, loop: self.index)
        if let topicID, var list = local.subscribers.removeValue(forKey: topicID) {
            list.removeAll { $0.connection === connection }
            if !list.isEmpty { local.subscribers[topicID] = list }
        }
        self.metrics.subscriptionsChanged(by: -1)
    }

    /// Delivers everything in the inbox, then flushes each connection written to, now or after the delay.
    private func drain() {
        let local = self.local.value
        var batch = local.spare
        local.spare = []
        self.inbox.withLock { inbox in
            swap(&inbox.frames, &batch)
            inbox.isDrainScheduled = false
        }
        // One clock read per pass: when a connection that falls behind during it started to.
        let now = NIODeadline.now()
        for frame in batch {
            // A copy: a connection closing during the pass may change the list.
            guard let subscriptions = local.subscribers[frame.topic] else { continue }
            for subscription in subscriptions
            where subscription.connection.deliver(frame, to: subscription, now: now) {
                local.touched.append(subscription.connection)
            }
        }
        batch.removeAll(keepingCapacity: true)
        local.spare = batch
        if self.flushDelay <= .zero {
            // Counted before flushed, so that a client never receives a message not yet counted.
            var flushed = LiveFlushTally()
            for connection in local.touched { flushed.add(connection.takeWritten()) }
            flushed.record(in: self.metrics)
            for connection in local.touched { connection.flushChannel() }
        } else if !local.touched.isEmpty {
            let due = NIODeadline.now() + self.flushDelay
            for connection in local.touched { local.waiting.append((due, connection)) }
            if local.flushTimer == nil { self.scheduleFlush(at: due, local) }
        }
        local.touched.removeAll(keepingCapacity: true)
    }

    /// Flushes the connections that are due, then waits for the next one.
    private func flushDue() {
        let local = self.local.value
        local.flushTimer = nil
        let now = NIODeadline.now()
        // Counted before flushed, so that a client never receives a message not yet counted. A connection due
        // twice (flushed meanwhile by an answer, then written again) hands its writes over once.
        var flushed = LiveFlushTally()
        var dueCount = 0
        for entry in local.waiting {
            guard entry.due <= now else { break }
            flushed.add(entry.connection.takeWritten())
            dueCount += 1
        }
        flushed.record(in: self.metrics)
        for _ in 0..<dueCount { local.waiting.removeFirst().connection.flushChannel() }
        if let first = local.waiting.first { self.scheduleFlush(at: first.due, local) }
    }

    private func scheduleFlush(at due: NIODeadline, _ local: Local) {
        local.flushTimer = self.eventLoop.assumeIsolated().scheduleTask(deadline: due) { self.flushDue() }
    }
}
