import DequeModule

/// The state of one bounded channel between two stages, as a pure value.
///
/// It never takes a lock and never resumes a continuation: every event returns an action that
/// ``ChannelStorage`` carries out after releasing its lock.
///
/// Invariants:
/// - `weight` is the total weight of the chunks in `buffer` (each chunk's weight is kept beside it); a
///   waiting consumer implies an empty buffer.
/// - A producer waits only while more than `backpressure.low` weight is buffered; taking chunks down to
///   `low` resumes every waiting producer.
/// - Once the consumer is closed, the buffer is empty and every send is refused.
@usableFromInline
package struct ChannelStateMachine<Item: Sendable> {
    /// What a consumer's `next` hands back.
    @usableFromInline
    package enum Received: Sendable {
        case chunk([Item])
        /// Somebody called `wake()` (a timer); only delivered to a consumer that asked for it.
        case wake
        /// The producer finished and everything was taken.
        case end
        case cancelled
    }

    /// Why a suspended producer was resumed.
    @usableFromInline
    enum ProducerResumption: Sendable {
        case resumed
        case closed
        case cancelled
    }

    @usableFromInline
    typealias Consumer = UnsafeContinuation<Received, Never>
    @usableFromInline
    typealias Producer = UnsafeContinuation<ProducerResumption, Never>

    @usableFromInline let backpressure: Backpressure
    @usableFromInline var buffer: Deque<Chunk> = []
    /// The weight buffered: the item count, unless the items are ``Weighted``.
    @usableFromInline var weight = 0
    @usableFromInline var consumer: (continuation: Consumer, wakeable: Bool)?
    @usableFromInline var producers: Deque<(id: UInt64, continuation: Producer)> = []
    @usableFromInline var producerFinished = false
    @usableFromInline var consumerClosed = false
    @usableFromInline var wakePending = false
    @usableFromInline var nextProducerID: UInt64 = 0

    @inlinable
    init(backpressure: Backpressure) {
        self.backpressure = backpressure
    }

    /// Buffered items and their weight. A nominal type, not a tuple: unspecialised generic code finds its
    /// metadata in a cache by its one generic argument, where a labelled tuple's is looked up by its labels.
    @usableFromInline
    struct Chunk {
        @usableFromInline var items: [Item]
        @usableFromInline var weight: Int

        @inlinable
        init(items: [Item], weight: Int) {
            self.items = items
            self.weight = weight
        }
    }

    // MARK: Producer events

    @usableFromInline
    enum SendAction {
        case none
        case resumeConsumer(Consumer, Received)
        /// The chunk was buffered; the producer has to wait for room (``producerWillSuspend``).
        case suspend(id: UInt64)
        case refuse
    }

    /// - Parameter weight: the chunk's weight (``ChannelStorage`` works it out before taking the lock).
    @inlinable
    mutating func send(_ chunk: [Item], weight: Int) -> SendAction {
        if self.consumerClosed || self.producerFinished { return .refuse }
        if chunk.isEmpty { return .none }
        if let consumer = self.consumer {
            self.consumer = nil
            return .resumeConsumer(consumer.continuation, .chunk(chunk))
        }
        if let last = self.buffer.indices.last, self.buffer[last].weight + weight <= self.backpressure.maxChunk {
            self.buffer[last].items.append(contentsOf: chunk)
            self.buffer[last].weight += weight
        } else {
            self.buffer.append(Chunk(items: chunk, weight: weight))
        }
        self.weight += weight
        guard self.weight >= self.backpressure.high else { return .none }
        self.nextProducerID &+= 1
        return .suspend(id: self.nextProducerID)
    }

    @usableFromInline
    enum SuspendAction {
        case stored
        case resume(ProducerResumption)
    }

    /// Called under the lock from inside the producer's continuation closure.
    @inlinable
    mutating func producerWillSuspend(id: UInt64, _ continuation: Producer, isCancelled: Bool) -> SuspendAction {
        if self.consumerClosed { return .resume(.closed) }
        if self.weight <= self.backpressure.low { return .resume(.resumed) }
        if isCancelled { return .resume(.cancelled) }
        self.producers.append((id, continuation))
        return .stored
    }

    @inlinable
    mutating func producerCancelled(id: UInt64) -> Producer? {
        guard let index = self.producers.firstIndex(where: { $0.id == id }) else { return nil }
        return self.producers.remove(at: index).continuation
    }

    /// The producer side is done: the consumer gets what is buffered, then the end.
    @inlinable
    mutating func finish() -> Consumer? {
        self.producerFinished = true
        guard let consumer = self.consumer else { return nil }
        self.consumer = nil
        return consumer.continuation
    }

    // MARK: Consumer events

    @usableFromInline
    enum NextAction {
        case deliver(Received, resumeProducers: [Producer])
        case suspend
    }

    @inlinable
    mutating func next(wakeable: Bool) -> NextAction {
        if let chunk = self.buffer.popFirst() {
            self.weight -= chunk.weight
            return .deliver(.chunk(chunk.items), resumeProducers: self.takeProducersIfDrained())
        }
        if wakeable && self.wakePending {
            self.wakePending = false
            return .deliver(.wake, resumeProducers: [])
        }
        if self.producerFinished || self.consumerClosed { return .deliver(.end, resumeProducers: []) }
        return .suspend
    }

    /// Called under the lock from inside the consumer's continuation closure.
    @inlinable
    mutating func consumerWillSuspend(_ continuation: Consumer, wakeable: Bool, isCancelled: Bool) -> NextAction {
        switch self.next(wakeable: wakeable) {
        case .deliver(let received, let producers):
            return .deliver(received, resumeProducers: producers)
        case .suspend:
            if isCancelled { return .deliver(.cancelled, resumeProducers: []) }
            precondition(self.consumer == nil, "a Flow channel has exactly one consumer")
            self.consumer = (continuation, wakeable)
            return .suspend
        }
    }

    @inlinable
    mutating func consumerCancelled() -> Consumer? {
        defer { self.consumer = nil }
        return self.consumer?.continuation
    }

    /// Wakes a consumer that waits with `wakeable: true`, or makes its next such wait return at once.
    @inlinable
    mutating func wake() -> Consumer? {
        if let consumer = self.consumer, consumer.wakeable {
            self.consumer = nil
            return consumer.continuation
        }
        self.wakePending = true
        return nil
    }

    /// The consumer stopped reading: what is buffered is dropped and every producer is refused.
    /// Returns the buffered weight so the caller can report it.
    @inlinable
    mutating func closeConsumer() -> (dropped: Int, producers: [Producer]) {
        self.consumerClosed = true
        let dropped = self.weight
        self.buffer.removeAll()
        self.weight = 0
        let producers = self.producers.map(\.continuation)
        self.producers.removeAll()
        return (dropped, producers)
    }

    @inlinable
    mutating func takeProducersIfDrained() -> [Producer] {
        guard !self.producers.isEmpty, self.weight <= self.backpressure.low else { return [] }
        let producers = self.producers.map(\.continuation)
        self.producers.removeAll()
        return producers
    }
}
