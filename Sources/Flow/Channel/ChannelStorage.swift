import Synchronization

/// Thrown by ``Outbox/send(_:)`` when the stage that reads the channel has stopped reading.
public struct OutputClosedError: Error, CustomStringConvertible {
    public init() {}

    public var description: String { "the next stage stopped reading its input" }
}

/// One bounded single-consumer channel: takes the lock, feeds events to ``ChannelStateMachine``
/// and carries out the actions it returns (resuming continuations) after unlocking.
///
/// - Important: Exactly one task consumes a channel; any number may send. Sends are never lost:
///   a chunk is buffered before its sender is suspended for room.
@usableFromInline
package final class ChannelStorage<Item: Sendable>: Sendable {
    @usableFromInline let state: Mutex<ChannelStateMachine<Item>>
    @usableFromInline let maxChunk: Int
    /// Whether `Item` is ``Weighted``; when not, a chunk weighs its count (no per-item work).
    @usableFromInline let isWeighted: Bool
    /// Reports the buffered weight after each change (the consumer stage's queue depth).
    @usableFromInline let depth: (@Sendable (Int) -> Void)?

    @inlinable
    package init(backpressure: Backpressure, depth: (@Sendable (Int) -> Void)? = nil) {
        self.state = Mutex(ChannelStateMachine(backpressure: backpressure))
        self.maxChunk = backpressure.maxChunk
        self.isWeighted = Item.self is any Weighted.Type
        self.depth = depth
    }

    /// The weight of one item (at least 1).
    @inlinable
    func weight(of item: Item) -> Int {
        guard self.isWeighted, let item = item as? any Weighted else { return 1 }
        return max(1, item.weight)
    }

    // MARK: Producer side

    /// Buffers `chunk`, then suspends while the channel is full.
    ///
    /// A chunk weighing more than `maxChunk` is sent in pieces of at most `maxChunk` (a heavier item alone),
    /// each waiting for room, so that one large send cannot overrun the bound: the buffered weight never
    /// exceeds `high` plus the heaviest piece, less one.
    ///
    /// - Returns: how long the sender waited for room (zero when it did not).
    /// - Throws: ``OutputClosedError`` when the consumer stopped reading, `CancellationError` if the
    ///   task is cancelled while waiting (the piece then waiting is already buffered).
    @discardableResult
    @inlinable
    package func send(_ chunk: [Item]) async throws -> Duration {
        let maxChunk = self.maxChunk
        if !self.isWeighted {
            guard chunk.count > maxChunk else { return try await self.sendPiece(chunk, weight: chunk.count) }
            var waited = Duration.zero
            var start = 0
            while start < chunk.count {
                let end = min(start + maxChunk, chunk.count)
                waited += try await self.sendPiece(Array(chunk[start..<end]), weight: end - start)
                start = end
            }
            return waited
        }
        var waited = Duration.zero
        var start = 0
        var pieceWeight = 0
        for index in chunk.indices {
            let weight = self.weight(of: chunk[index])
            if index > start && pieceWeight + weight > maxChunk {
                waited += try await self.sendPiece(Array(chunk[start..<index]), weight: pieceWeight)
                start = index
                pieceWeight = 0
            }
            pieceWeight += weight
        }
        if start < chunk.count {
            waited += try await self.sendPiece(start == 0 ? chunk : Array(chunk[start...]), weight: pieceWeight)
        }
        return waited
    }

    @inlinable
    func sendPiece(_ chunk: [Item], weight: Int) async throws -> Duration {
        let (action, count) = self.state.withLock { state in (state.send(chunk, weight: weight), state.weight) }
        self.depth?(count)
        switch action {
        case .none:
            return .zero
        case .refuse:
            throw OutputClosedError()
        case .resumeConsumer(let consumer, let received):
            consumer.resume(returning: received)
            return .zero
        case .suspend(let id):
            let waitStart = ContinuousClock.now
            let resumption = await withTaskCancellationHandler {
                await withUnsafeContinuation { (continuation: ChannelStateMachine<Item>.Producer) in
                    let action = self.state.withLock {
                        $0.producerWillSuspend(id: id, continuation, isCancelled: Task.isCancelled)
                    }
                    if case .resume(let resumption) = action { continuation.resume(returning: resumption) }
                }
            } onCancel: {
                self.state.withLock { $0.producerCancelled(id: id) }?.resume(returning: .cancelled)
            }
            switch resumption {
            case .resumed: return waitStart.duration(to: .now)
            case .closed: throw OutputClosedError()
            case .cancelled: throw CancellationError()
            }
        }
    }

    /// Ends the producer side; the consumer receives what is buffered, then the end.
    @inlinable
    package func finish() {
        self.state.withLock { $0.finish() }?.resume(returning: .end)
    }

    /// How many producers are suspended in ``send(_:)`` waiting for room now (read under the lock).
    ///
    /// For tests: a count above zero stays so until the consumer takes the buffer down to the low watermark,
    /// the channel is closed, or a waiting producer is cancelled.
    package var suspendedProducers: Int {
        self.state.withLock { $0.producers.count }
    }

    // MARK: Consumer side

    /// The next chunk, `.end`, `.cancelled`, or (when `wakeable`) `.wake`.
    @inlinable
    package func next(wakeable: Bool) async -> ChannelStateMachine<Item>.Received {
        let (action, count) = self.state.withLock { state in (state.next(wakeable: wakeable), state.weight) }
        switch action {
        case .deliver(let received, let producers):
            if case .chunk = received { self.depth?(count) }
            for producer in producers { producer.resume(returning: .resumed) }
            return received
        case .suspend:
            break
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: ChannelStateMachine<Item>.Consumer) in
                let action = self.state.withLock {
                    $0.consumerWillSuspend(continuation, wakeable: wakeable, isCancelled: Task.isCancelled)
                }
                if case .deliver(let received, let producers) = action {
                    for producer in producers { producer.resume(returning: .resumed) }
                    continuation.resume(returning: received)
                }
            }
        } onCancel: {
            self.state.withLock { $0.consumerCancelled() }?.resume(returning: .cancelled)
        }
    }

    /// Makes a waiting `next(wakeable: true)` return `.wake` (or the next such call, if none waits).
    @inlinable
    package func wake() {
        self.state.withLock { $0.wake() }?.resume(returning: .wake)
    }

    /// The consumer stopped reading: buffered items are dropped, producers are refused from now on.
    /// - Returns: the weight of the buffered items dropped.
    @discardableResult
    @inlinable
    package func closeConsumer() -> Int {
        let (dropped, producers) = self.state.withLock { $0.closeConsumer() }
        for producer in producers { producer.resume(returning: .closed) }
        if dropped > 0 { self.depth?(0) }
        return dropped
    }
}
