import Synchronization

/// One reader of a stage's tap: the items leaving the stage from now on, each rendered as one JSON line,
/// handed over through a bounded buffer. Made by ``StageTap/subscribe(limit:buffer:)``.
///
/// ```swift
/// let subscription = pipeline.taps["decode"]!.subscribe(limit: 10)
/// for await chunk in subscription {
///     if chunk.dropped > 0 { print("(\(chunk.dropped) items dropped: this reader fell behind)") }
///     for line in chunk.items { print(line) }
/// }
/// print(subscription.end!)  // .limitReached, once 10 items were read
/// ```
///
/// - Important: The pipeline never waits for a subscription. While its buffer is full, the items leaving
///   the stage are dropped for it — counted, and reported with the next ``Chunk`` — and the stage goes on.
///   Exactly one task reads a subscription. It ends when its limit is reached, when the pipeline stops, on
///   ``finish()``, or when its reader is cancelled; what was buffered is still read, then iteration ends.
public final class TapSubscription: AsyncSequence, Sendable {
    public typealias Element = Chunk
    public typealias Failure = Never

    /// What a reader gets at once: everything buffered since it last asked.
    public struct Chunk: Sendable, Hashable {
        /// The items, in the order they left the stage, each one JSON value on one line (see
        /// ``CustomTapRepresentation``).
        public var items: [String]
        /// Items dropped for this subscription since the previous chunk, because its buffer was full.
        public var dropped: Int

        public init(items: [String], dropped: Int) {
            self.items = items
            self.dropped = dropped
        }
    }

    /// Why a subscription ended.
    public enum End: Sendable, Hashable {
        /// It received as many items as its limit.
        case limitReached
        /// The pipeline stopped (drained, failed, or was restarted by a reload).
        case pipelineStopped
        /// Its reader called ``TapSubscription/finish()`` or was cancelled.
        case finished
    }

    private let state: Mutex<TapSubscriptionStateMachine>
    private let tap: StageTap

    init(tap: StageTap, buffer: Int, limit: Int?) {
        self.tap = tap
        self.state = Mutex(TapSubscriptionStateMachine(capacity: buffer, limit: limit))
    }

    /// Why it ended; nil while it runs.
    public var end: End? { self.state.withLock { $0.end } }
    /// Items it has taken so far (read, or buffered to be read).
    public var taken: Int { self.state.withLock { $0.taken } }
    /// Items dropped for it so far, because its buffer was full.
    public var dropped: Int { self.state.withLock { $0.dropped } }

    /// Everything buffered since the last call, waiting until there is something; nil once it has ended
    /// and everything was read. Cancelling the calling task ends the subscription.
    public func next() async -> Chunk? {
        let chunk: Chunk?
        switch self.state.withLock({ $0.next() }) {
        case .deliver(let ready):
            chunk = ready
        case .suspend:
            chunk = await withTaskCancellationHandler {
                await withUnsafeContinuation { (continuation: TapSubscriptionStateMachine.Reader) in
                    let action = self.state.withLock {
                        $0.readerWillSuspend(continuation, isCancelled: Task.isCancelled)
                    }
                    if case .deliver(let ready) = action { continuation.resume(returning: ready) }
                }
            } onCancel: {
                self.state.withLock { $0.finish(.finished) }?.resume(returning: nil)
            }
        }
        if chunk == nil { self.tap.remove(self) }
        return chunk
    }

    /// Ends the subscription: nothing more is taken; what is buffered can still be read.
    public func finish() {
        self.finish(.finished)
    }

    func finish(_ end: End) {
        self.state.withLock { $0.finish(end) }?.resume(returning: nil)
        self.tap.remove(self)
    }

    /// How many of `count` items leaving the stage now it would take.
    func wants(_ count: Int) -> Int {
        self.state.withLock { $0.wants(count) }
    }

    /// Offers `count` items leaving the stage, the first of which are `rendered`; returns whether the
    /// subscription has ended (its limit reached), so the tap forgets it.
    func offer(_ rendered: [String], of count: Int) -> Bool {
        let (action, ended) = self.state.withLock { state in (state.offer(rendered, of: count), state.end != nil) }
        if case .resume(let reader, let chunk) = action { reader.resume(returning: chunk) }
        return ended
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: TapSubscription

        public mutating func next() async -> Chunk? {
            await self.subscription.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(subscription: self)
    }
}
