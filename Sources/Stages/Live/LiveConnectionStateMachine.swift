import NIOCore
import NIOWebSocket

/// The lifecycle of one live WebSocket connection, as a pure value: what it subscribes to, what waits for the
/// client, whether reads are held, the message being reassembled, and how it closes.
///
/// It never touches the channel, never schedules, never logs and never reads the clock: each event returns an
/// action that ``LiveConnectionHandler`` carries out (write, flush, close, join or leave a topic on the loop,
/// start a fetch, schedule or cancel a timer, count, log). Where it needs the time, the caller passes it.
///
/// | state | events it reacts to |
/// |---|---|
/// | ``State/upgraded`` | ``handlerAdded()`` |
/// | ``State/open(_:)`` | frames, answers, deliveries, sends, writability, flushes, timers, reads, shutdown, errors, close |
/// | ``State/closing`` | the client's close frame, the close timer, I/O errors, the channel's close, flushes |
/// | ``State/closed`` | flushes (of writes made before the close) |
///
/// Invariants:
/// - Messages leave in the order they were sent: one is written at once only when nothing waits (see
///   ``send(_:isWritable:now:)``), and a position of a subscription being set up waits in its buffer until
///   the `subscribed` answer that comes first.
/// - `Open.behindSince` is set exactly while `Open.queue` is not empty; the slow-client timer runs then.
/// - The `subscribe` requests being answered for the current subscriptions (`Subscription.fetching`) are
///   at most `Open.subscribesInFlight`, which also counts those of subscriptions that ended since.
/// - Once closing, nothing more is written but the close frame; once closed, nothing more happens.
///
/// - Important: Not thread-safe, like any value: the handler keeps it and calls it on its event loop only.
struct LiveConnectionStateMachine {
    /// The limits of one connection (from the server's configuration).
    struct Configuration {
        /// Positions that may wait for the client, and for each subscription being set up; ≥ 1.
        var clientQueue: Int
        /// `subscribe` requests in flight before reads are held.
        var maxSubscribesInFlight: Int
        /// The longest client message (a fragmented one counts whole).
        var maxMessageSize: Int
    }

    enum State {
        /// Made by the upgrade, not yet in the channel's pipeline: every event but ``handlerAdded()`` is
        /// ignored.
        case upgraded
        /// Serving requests and positions.
        case open(Open)
        /// A close frame was sent: waiting for the client's, for the frame to be written, or for the close
        /// timeout. Nothing is subscribed and nothing waits.
        case closing
        /// The channel is closed or the handler removed.
        case closed
        /// Only while an event changes the open state in place (so that its buffers are not copied); never
        /// seen between events.
        case modifying
    }

    /// What an open connection holds.
    struct Open {
        var subscriptions: [LiveTopic: Subscription] = [:]
        /// What waits for the client while it is behind: positions coalesce, control messages never drop.
        var queue: LiveOutboundQueue
        /// When ``queue`` last went from empty to non-empty; `nil` while it is empty.
        var behindSince: NIODeadline?
        /// `subscribe` requests whose answer has not come back (some may be for subscriptions that ended).
        var subscribesInFlight = 0
        /// A `read` was held back (see ``LiveConnectionStateMachine/read()``).
        var isReadHeld = false
        var reassembly = Reassembly.idle
        /// The id of the next new subscription.
        var nextSubscriptionID: UInt64 = 0
        /// Per subscribed topic, each device's snapshot time (µs) that no later position of it has passed yet:
        /// a position of the device at or before it is not sent, since the marker would go back (CONTRACT §5).
        /// The snapshot is read from what durable-write stored, which can be ahead of what this instance's
        /// live pipeline has read; once a newer position of the device has been sent, drop-stale keeps the older
        /// ones away, and its entry goes. Empty (and its topic gone) once every device has moved on.
        var floors: [LiveTopic: [String: Int64]] = [:]

        init(clientQueue: Int) {
            self.queue = LiveOutboundQueue(capacity: clientQueue, policy: .newestPerKey)
        }
    }

    /// One topic the connection subscribes to.
    struct Subscription {
        /// Tells this subscription's answers from those of an earlier one of the same topic (ended since).
        let id: UInt64
        /// Set while `subscribe` requests of it are being answered; `nil` once it is set up.
        var fetching: Fetching?
    }

    /// A fragmented client message in progress.
    enum Reassembly {
        /// No message in progress.
        case idle
        /// A text message: the fragments so far.
        case text(ByteBuffer)
        /// A binary message, skipped (and answered `bad-request` once whole).
        case binary
    }

    let configuration: Configuration
    private(set) var state = State.upgraded
    /// Messages written and not yet flushed. Kept in every state: what was written before a close is still
    /// flushed (and counted) by whoever flushes next.
    ///
    /// - Important: Read it; only the machine's events change it (a write handed out adds one, ``flush()``
    ///   and ``SendAction/flushFirst(messages:)`` hand it over).
    var unflushed = 0

    init(configuration: Configuration) {
        precondition(configuration.clientQueue >= 1, "a live connection lets at least one position wait")
        self.configuration = configuration
    }

    /// Runs `body` on the open state in place (no copy of its queues); `nil` when not open.
    mutating func modifyOpen<Result>(_ body: (inout Open) -> Result) -> Result? {
        guard case .open(var open) = self.state else { return nil }
        self.state = .modifying
        defer { self.state = .open(open) }
        return body(&open)
    }

    /// The connection is open (serving requests and positions).
    var isOpen: Bool {
        if case .open = self.state { return true }
        return false
    }

    // MARK: Lifecycle

    /// The handler joined the channel's pipeline after the upgrade. Returns `true` when the connection opens
    /// now (count it and log it); the caller then reports ``channelClosed()`` if the channel is not active.
    mutating func handlerAdded() -> Bool {
        guard case .upgraded = self.state else { return false }
        self.state = .open(Open(clientQueue: self.configuration.clientQueue))
        return true
    }

    /// What to undo when the connection ends.
    struct TearDownAction: Equatable {
        /// Topics to leave on the loop.
        var leave: [LiveTopic]
        /// The client was behind: cancel the slow-client timer.
        var stopsSlowTimer: Bool
        /// The closing handshake was under way: cancel the close timer.
        var stopsCloseTimer: Bool
    }

    /// The channel went inactive or the handler was removed: forget everything. Returns `nil` when it already
    /// ended (or never opened); otherwise undo it, count and log the close.
    mutating func channelClosed() -> TearDownAction? {
        switch self.state {
        case .open(let open):
            self.state = .closed
            return TearDownAction(
                leave: Array(open.subscriptions.keys),
                stopsSlowTimer: open.behindSince != nil,
                stopsCloseTimer: false
            )
        case .closing:
            self.state = .closed
            return TearDownAction(leave: [], stopsSlowTimer: false, stopsCloseTimer: true)
        case .upgraded, .closed:
            self.state = .closed
            return nil
        case .modifying:
            preconditionFailure("a live connection's state is never modifying between events")
        }
    }

    // MARK: Closing

    /// How to start the closing handshake.
    struct CloseAction: Equatable {
        var code: UInt16
        var reason: String
        /// Close the channel as soon as the close frame is written (the client broke the protocol or sent its
        /// own close frame), rather than waiting for the client's answer.
        var closeWhenSent: Bool
        /// Topics to leave on the loop, before the close frame is written.
        var leave: [LiveTopic]
        /// The client was behind: cancel the slow-client timer.
        var stopsSlowTimer: Bool
        /// A read was held back: issue it, because the client's close frame must be read.
        var resumesReading: Bool
    }

    /// Starts the closing handshake from the open state: everything subscribed and waiting is dropped, and the
    /// handler writes and flushes the close frame, then schedules the close timer. `nil` when not open.
    mutating func close(code: UInt16, reason: String, closeWhenSent: Bool) -> CloseAction? {
        guard case .open(let open) = self.state else { return nil }
        self.state = .closing
        return CloseAction(
            code: code,
            reason: reason,
            closeWhenSent: closeWhenSent,
            leave: Array(open.subscriptions.keys),
            stopsSlowTimer: open.behindSince != nil,
            resumesReading: open.isReadHeld
        )
    }

    /// The server shuts down: close with 1001.
    mutating func shutdown() -> CloseAction? {
        self.close(code: LiveCloseCode.goingAway, reason: "server shutting down", closeWhenSent: false)
    }

    /// The close timer fired: returns `true` when the channel is to be closed (the handshake is still under
    /// way).
    func closeTimerFired() -> Bool {
        if case .closing = self.state { return true }
        return false
    }

    enum ErrorAction: Equatable {
        case none
        /// Close with this (a frame the decoder refused).
        case close(CloseAction)
        /// Log the error and close the channel at once (an I/O error).
        case closeChannel
    }

    /// An error reached the handler: the frame decoder's is a protocol error (1009 for a frame too large,
    /// 1002 otherwise), anything else closes the channel.
    mutating func errorCaught(_ error: any Error) -> ErrorAction {
        let action: CloseAction?
        switch error as? NIOWebSocketError {
        case .invalidFrameLength?:
            action = self.close(code: LiveCloseCode.messageTooLarge, reason: "frame too large", closeWhenSent: true)
        case .some:
            action = self.close(code: LiveCloseCode.protocolError, reason: "invalid frame", closeWhenSent: true)
        case nil:
            return .closeChannel
        }
        return action.map(ErrorAction.close) ?? .none
    }

    // MARK: Reading

    /// NIO asks to read the client's next frames. Returns `true` to read now, `false` when the read is held
    /// back: while messages wait for the client (it is behind; reading more requests would only queue more
    /// answers) or too many `subscribe` requests are in flight. ``releaseHeldRead()`` lets it go.
    mutating func read() -> Bool {
        let configuration = self.configuration
        let holds = self.modifyOpen { open in
            guard open.holdsReads(configuration) else { return false }
            open.isReadHeld = true
            return true
        }
        return holds != true
    }

    /// Returns `true` when a held read may go now (issue it).
    mutating func releaseHeldRead() -> Bool {
        let configuration = self.configuration
        return self.modifyOpen { open in
            guard open.isReadHeld, !open.holdsReads(configuration) else { return false }
            open.isReadHeld = false
            return true
        } ?? false
    }
}

extension LiveConnectionStateMachine.Open {
    /// Whether reads are held: something waits for the client, or too many `subscribe` requests are in flight.
    func holdsReads(_ configuration: LiveConnectionStateMachine.Configuration) -> Bool {
        !self.queue.isEmpty || self.subscribesInFlight >= configuration.maxSubscribesInFlight
    }
}
