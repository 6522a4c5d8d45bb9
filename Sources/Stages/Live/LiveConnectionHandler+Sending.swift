import Logging
import NIOCore

/// Sending (decided by the machine, see `LiveConnectionStateMachine+Sending.swift`): writes, flushes, the
/// writability of the channel, and the slow-client timer.
extension LiveConnectionHandler {
    /// A position of a topic this connection subscribes to, from its loop's inbox (`now`: the loop's pass).
    /// Returns `true` when the connection now has unflushed writes and had none before (the loop flushes it
    /// once after its pass).
    ///
    /// - Important: The hot path of the fan-out: no allocation.
    func deliver(_ position: LiveFrame, to subscription: LiveSubscription, now: NIODeadline) -> Bool {
        guard let context = self.context else { return false }
        let hadUnflushed = self.machine.unflushed > 0
        self.send(context) { machine, isWritable in
            machine.deliver(position, of: subscription.topic, isWritable: isWritable, now: now)
        }
        return !hadUnflushed && self.machine.unflushed > 0
    }

    /// Writes a control message or a position now, or queues it while the client is behind (`now`).
    func send(_ message: LiveOutboundQueue.Element, now: NIODeadline) {
        guard let context = self.context else { return }
        self.send(context) { machine, isWritable in machine.send(message, isWritable: isWritable, now: now) }
    }

    /// Feeds a send to the machine with the channel's writability, flushing first when it asks to.
    @inline(__always)
    private func send(
        _ context: ChannelHandlerContext,
        _ event: (inout LiveConnectionStateMachine, _ isWritable: Bool) -> LiveConnectionStateMachine.SendAction
    ) {
        var action = event(&self.machine, context.channel.isWritable)
        // Ends: the machine asks only while it has unflushed writes, and it hands them all over when it asks.
        while case .flushFirst(let messages) = action {
            self.countFlush(of: messages)
            context.flush()
            action = event(&self.machine, context.channel.isWritable)
        }
        switch action {
        case .none, .flushFirst:
            break
        case .write(let bytes):
            context.write(Self.wrapOutboundOut(bytes), promise: nil)
        case .wait(let outcome, let startsSlowTimer):
            self.count(outcome)
            if startsSlowTimer {
                self.slowTimer = context.eventLoop.assumeIsolated().scheduleTask(
                    in: self.environment.slowClientTimeout
                ) { self.slowTimerFired() }
            }
        }
    }

    private func count(_ outcome: LiveOutboundQueue.AppendOutcome) {
        switch outcome {
        case .appended: break
        case .coalesced: self.environment.metrics.positionsCoalesced.increment()
        case .droppedOldest: self.environment.metrics.positionsDropped.increment()
        }
    }

    /// Hands over the writes since the last flush, for the caller to count before it calls ``flushChannel()``:
    /// how many messages they were (0: none, and none are handed over twice).
    ///
    /// - Important: Count, then flush: a message is counted in `flowrun_live_messages_sent_total` before its
    ///   bytes can reach the client, so whoever received it also sees it counted.
    func takeWritten() -> Int {
        self.machine.flush()
    }

    /// Flushes the channel (the writes handed over by ``takeWritten()``).
    func flushChannel() {
        self.context?.flush()
    }

    /// Counts the writes since the last flush in `flowrun_live_messages_sent_total` and
    /// `flowrun_live_flushes_total`, then flushes them.
    func flushAndCount() {
        let written = self.takeWritten()
        self.countFlush(of: written)
        if written > 0 { self.flushChannel() }
    }

    /// Counts one flush of `messages` messages (0: there was nothing to flush).
    private func countFlush(of messages: Int) {
        var tally = LiveFlushTally()
        tally.add(messages)
        tally.record(in: self.environment.metrics)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.writeQueued(context) }
        context.fireChannelWritabilityChanged()
    }

    /// Writes what waits while the channel stays writable; once nothing waits, the client has caught up.
    private func writeQueued(_ context: ChannelHandlerContext) {
        while true {
            switch self.machine.writeQueued(isWritable: context.channel.isWritable) {
            case .none:
                return
            case .write(let bytes):
                context.write(Self.wrapOutboundOut(bytes), promise: nil)
            case .done(let stopsSlowTimer):
                self.flushAndCount()
                if stopsSlowTimer { self.cancelSlowTimer() }
                if self.machine.releaseHeldRead() { context.read() }
                return
            }
        }
    }

    // MARK: Slow clients

    func cancelSlowTimer() {
        self.slowTimer?.cancel()
        self.slowTimer = nil
    }

    private func slowTimerFired() {
        self.slowTimer = nil
        guard let slow = self.machine.slowTimerFired(now: .now()) else { return }
        self.logger.warning(
            "closing a live connection that stays behind",
            metadata: ["behind_seconds": "\(slow.behindSeconds)", "waiting": "\(slow.waiting)"]
        )
        self.environment.metrics.slowClientCloses.increment()
        self.close(slow.close)
    }
}
