import NIOCore

/// Sending: at once while the client keeps up, through the coalescing queue while it is behind, and closing
/// the connection when it stays behind; and the count of messages written but not flushed.
///
/// - Important: Order per connection is the order of the sends: a message is written at once only when
///   nothing waits, so nothing overtakes what waits. A fast client (its channel writable whenever a message
///   comes) never has anything coalesced or dropped. Control messages are never dropped.
extension LiveConnectionStateMachine {
    enum SendAction: Equatable {
        /// Nothing to do: the connection is not open.
        case none
        /// Write these bytes now (unflushed: see ``LiveConnectionStateMachine/flush()``).
        case write(ByteBuffer)
        /// The channel is not writable, but has unflushed writes that may be all that fills it (a large batch
        /// for a fast client): flush these `messages` and count them, then send again with the channel's
        /// writability after the flush. Asked at most once in a row (nothing is unflushed then).
        case flushFirst(messages: Int)
        /// The message waits, in the send queue or in the buffer of a subscription being set up: count the
        /// `outcome`; when `startsSlowTimer`, the client just fell behind: start the slow-client timer.
        case wait(LiveOutboundQueue.AppendOutcome, startsSlowTimer: Bool)
    }

    /// Sends a control message or a position: writes it now when nothing waits and the channel is writable
    /// (`isWritable`: the channel's), or queues it; `now` is when the client falls behind if it does.
    mutating func send(_ message: LiveOutboundQueue.Element, isWritable: Bool, now: NIODeadline) -> SendAction {
        switch self.queueIsEmpty {
        case nil:
            return .none
        case true?:
            if isWritable {
                self.unflushed += 1
                return .write(message.bytes)
            }
            if self.unflushed > 0 { return .flushFirst(messages: self.flush()) }
        case false?:
            break
        }
        return self.modifyOpen { $0.enqueue(message, now: now) } ?? .none
    }

    /// Whether nothing waits for the client; `nil` when not open.
    private var queueIsEmpty: Bool? {
        guard case .open(let open) = self.state else { return nil }
        return open.queue.isEmpty
    }

    /// The handler flushes the channel now: returns how many messages that writes (0: none; no flush needed).
    mutating func flush() -> Int {
        defer { self.unflushed = 0 }
        return self.unflushed
    }

    // MARK: Writability

    enum QueuedWriteAction: Equatable {
        /// Nothing to do: the connection is not open.
        case none
        /// Write these bytes (the next waiting message), then ask again.
        case write(ByteBuffer)
        /// Stop: flush what was written and count it; when `stopsSlowTimer`, the client caught up: cancel the
        /// slow-client timer. Then issue a held read if ``LiveConnectionStateMachine/releaseHeldRead()`` says so.
        case done(stopsSlowTimer: Bool)
    }

    /// The channel became writable: the handler writes what this hands out while the channel stays writable
    /// (`isWritable` read before each call), until `.done`.
    mutating func writeQueued(isWritable: Bool) -> QueuedWriteAction {
        guard let action = self.modifyOpen({ $0.nextQueued(isWritable: isWritable) }) else { return .none }
        if case .write = action { self.unflushed += 1 }
        return action
    }

    // MARK: Slow clients

    /// A connection closed for staying behind: log it with these values and count it, then close.
    struct SlowClientClose: Equatable {
        /// How long it was behind, in seconds with at most one decimal (`"10"`, `"2.5"`).
        var behindSeconds: String
        /// Messages waiting for it.
        var waiting: Int
        var close: CloseAction
    }

    /// The slow-client timer fired at `now`: a client still behind is closed with 1008 (the close frame waits
    /// for the close timeout, as the client does not read). `nil` when it caught up meanwhile.
    mutating func slowTimerFired(now: NIODeadline) -> SlowClientClose? {
        guard case .open(let open) = self.state, !open.queue.isEmpty, let behindSince = open.behindSince else {
            return nil
        }
        let seconds = Double((now - behindSince).nanoseconds) / 1e9
        let behind = seconds.formatted(fractionDigits: 1)
        let waiting = open.queue.count
        let reason = "too slow: behind for \(behind)s"
        guard let close = self.close(code: LiveCloseCode.policyViolation, reason: reason, closeWhenSent: false) else {
            return nil
        }
        return SlowClientClose(behindSeconds: behind, waiting: waiting, close: close)
    }
}

extension LiveConnectionStateMachine.Open {
    /// Queues `message` behind what waits; the client falls behind at `now` if nothing waited.
    mutating func enqueue(
        _ message: LiveOutboundQueue.Element,
        now: NIODeadline
    ) -> LiveConnectionStateMachine.SendAction {
        let wasEmpty = self.queue.isEmpty
        let outcome: LiveOutboundQueue.AppendOutcome
        switch message {
        case .control(let bytes):
            self.queue.append(control: bytes)
            outcome = .appended
        case .position(let position):
            outcome = self.queue.append(position)
        }
        if wasEmpty { self.behindSince = now }
        return .wait(outcome, startsSlowTimer: wasEmpty)
    }

    /// The next waiting message while `isWritable`; once nothing waits, the client has caught up.
    mutating func nextQueued(isWritable: Bool) -> LiveConnectionStateMachine.QueuedWriteAction {
        if isWritable, let element = self.queue.popFirst() { return .write(element.bytes) }
        guard self.queue.isEmpty, self.behindSince != nil else { return .done(stopsSlowTimer: false) }
        self.behindSince = nil
        return .done(stopsSlowTimer: true)
    }
}

extension LiveOutboundQueue.Element {
    /// The frame to write.
    var bytes: ByteBuffer {
        switch self {
        case .control(let bytes): bytes
        case .position(let position): position.bytes
        }
    }
}

extension Double {
    /// The number with at most `fractionDigits` digits after the point, trailing zeros removed (`10`, `2.5`).
    fileprivate func formatted(fractionDigits: Int) -> String {
        var scale = 1.0
        for _ in 0..<fractionDigits { scale *= 10 }
        let rounded = (self * scale).rounded() / scale
        return rounded == rounded.rounded(.towardZero) ? String(Int(rounded)) : String(rounded)
    }
}
