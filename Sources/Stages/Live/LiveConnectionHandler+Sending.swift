import Logging
import NIOCore

/// Sending: at once while the client keeps up, through the queue while it is behind, and closing it when it
/// stays behind.
///
/// - Important: Order per connection is the order of the `send` calls: a message is written at once only
///   when nothing waits, so nothing overtakes what waits. A fast client (its channel writable whenever a
///   message comes) never has anything coalesced or dropped.
extension LiveConnectionHandler {
    /// A position of a topic this connection subscribes to, from its loop's inbox. Returns `true` when the
    /// connection now has unflushed writes and had none before (the loop flushes it once after its pass).
    func deliver(_ position: LivePositionFrame, to subscription: LiveSubscription) -> Bool {
        if subscription.fetching > 0 {
            if subscription.buffered != nil { self.count(subscription.buffered!.append(position)) }
            return false
        }
        let hadUnflushed = self.unflushed > 0
        self.send(position)
        return !hadUnflushed && self.unflushed > 0
    }

    /// Writes a position now, or queues it (coalescing) while the client is behind.
    func send(_ position: LivePositionFrame) {
        guard self.state == .open, let context = self.context else { return }
        if self.queue.isEmpty && self.isWritable(context) {
            context.write(Self.wrapOutboundOut(position.bytes), promise: nil)
            self.unflushed += 1
        } else {
            let wasEmpty = self.queue.isEmpty
            self.count(self.queue.append(position))
            if wasEmpty { self.startBehind() }
        }
    }

    /// Writes a control message now, or queues it while the client is behind; it is never dropped.
    func send(control bytes: ByteBuffer) {
        guard self.state == .open, let context = self.context else { return }
        if self.queue.isEmpty && self.isWritable(context) {
            context.write(Self.wrapOutboundOut(bytes), promise: nil)
            self.unflushed += 1
        } else {
            let wasEmpty = self.queue.isEmpty
            self.queue.append(control: bytes)
            if wasEmpty { self.startBehind() }
        }
    }

    /// Whether the kernel takes more for this client. A channel can turn unwritable only because of the
    /// server's own unflushed writes (a large batch for a fast client); those are flushed first, so that
    /// only a client whose socket stays full counts as behind.
    private func isWritable(_ context: ChannelHandlerContext) -> Bool {
        if context.channel.isWritable { return true }
        guard self.unflushed > 0 else { return false }
        self.flushAndCount()
        return context.channel.isWritable
    }

    private func count(_ outcome: LiveOutboundQueue.AppendOutcome) {
        switch outcome {
        case .appended: break
        case .coalesced: self.environment.metrics.positionsCoalesced.increment()
        case .droppedOldest: self.environment.metrics.positionsDropped.increment()
        }
    }

    /// Flushes the writes since the last flush; returns how many messages they were (for the caller to count).
    func flushWritten() -> Int {
        guard self.unflushed > 0 else { return 0 }
        let written = self.unflushed
        self.unflushed = 0
        self.context?.flush()
        return written
    }

    /// ``flushWritten()``, counted in `flowrun_live_messages_sent_total` and `flowrun_live_flushes_total`.
    func flushAndCount() {
        var tally = LiveFlushTally()
        tally.add(self.flushWritten())
        tally.record(in: self.environment.metrics)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.writeQueued() }
        context.fireChannelWritabilityChanged()
    }

    /// Writes what waits while the channel stays writable; once nothing waits, the client has caught up.
    private func writeQueued() {
        guard self.state == .open, let context = self.context else { return }
        while context.channel.isWritable, let element = self.queue.popFirst() {
            switch element {
            case .control(let bytes): context.write(Self.wrapOutboundOut(bytes), promise: nil)
            case .position(let position): context.write(Self.wrapOutboundOut(position.bytes), promise: nil)
            }
            self.unflushed += 1
        }
        self.flushAndCount()
        if self.queue.isEmpty {
            self.stopBehind()
            self.resumeReadingIfHeld()
        }
    }

    // MARK: Slow clients

    private func startBehind() {
        guard let context = self.context else { return }
        self.behindSince = .now()
        self.slowTimer = context.eventLoop.assumeIsolated().scheduleTask(in: self.environment.slowClientTimeout) {
            self.slowTimerFired()
        }
    }

    func stopBehind() {
        self.slowTimer?.cancel()
        self.slowTimer = nil
        self.behindSince = nil
    }

    private func slowTimerFired() {
        self.slowTimer = nil
        guard self.state == .open, !self.queue.isEmpty, let behindSince = self.behindSince else { return }
        let seconds = Double((NIODeadline.now() - behindSince).nanoseconds) / 1e9
        let behind = seconds.formatted(fractionDigits: 1)
        self.logger.warning(
            "closing a live connection that stays behind",
            metadata: ["behind_seconds": "\(behind)", "waiting": "\(self.queue.count)"]
        )
        self.environment.metrics.slowClientCloses.increment()
        self.close(code: LiveCloseCode.policyViolation, reason: "too slow: behind for \(behind)s")
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
