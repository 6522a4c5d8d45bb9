import CoreMetrics
import Logging

/// A stage's input: the chunks of items the previous stage sent, in order.
///
/// Iterate it (`for try await chunk in input`) or call ``next()`` until it returns `nil`. A chunk holds
/// whatever was ready when the stage asked, at least one item; waiting never fills a chunk.
///
/// - Important: Exactly one task may read an inbox.
public struct Inbox<Item: Sendable>: Sendable, AsyncSequence {
    public typealias Element = [Item]
    public typealias Failure = any Error

    @usableFromInline let channel: ChannelStorage<Item>?
    @usableFromInline let metrics: StageMetrics?
    @usableFromInline let meter: StageMeter?

    @inlinable
    init(_ channel: ChannelStorage<Item>?, metrics: StageMetrics? = nil, meter: StageMeter? = nil) {
        self.channel = channel
        self.metrics = metrics
        self.meter = meter
    }

    /// An input that has already ended (what a source reads).
    @inlinable static var empty: Inbox { Inbox(nil) }

    @inlinable
    func attributed(to metrics: StageMetrics, meter: StageMeter?) -> Inbox {
        Inbox(self.channel, metrics: metrics, meter: meter)
    }

    /// The same input, without per-chunk processing time (for stages that time each item themselves).
    @inlinable
    func withoutMeter() -> Inbox {
        Inbox(self.channel, metrics: self.metrics, meter: nil)
    }

    /// The next chunk of items, or `nil` once the input has ended.
    ///
    /// - Throws: `CancellationError` when the task is cancelled.
    @inlinable
    public func next() async throws -> [Item]? {
        while true {
            switch try await self.receive(wakeable: false) {
            case .items(let chunk): return chunk
            case .end: return nil
            case .wake: continue
            }
        }
    }

    @usableFromInline
    enum Event {
        case items([Item])
        case wake
        case end
    }

    /// The next chunk, the end, or — when `wakeable` — a ``wake()`` from another task (a timer).
    @inlinable
    func receive(wakeable: Bool) async throws -> Event {
        guard let channel = self.channel else { return .end }
        if let metrics = self.metrics { self.meter?.chunkFinished(into: metrics.processing, busy: metrics.busy) }
        switch await channel.next(wakeable: wakeable) {
        case .chunk(let chunk):
            self.metrics?.itemsIn.increment(by: chunk.count)
            self.meter?.chunkReceived(items: chunk.count)
            return .items(chunk)
        case .wake:
            return .wake
        case .end:
            return .end
        case .cancelled:
            throw CancellationError()
        }
    }

    /// Makes the reader's pending `receive(wakeable: true)` return `.wake`.
    @inlinable
    func wake() {
        self.channel?.wake()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let inbox: Inbox

        @inlinable
        init(inbox: Inbox) {
            self.inbox = inbox
        }

        @inlinable
        public mutating func next() async throws -> [Item]? {
            try await self.inbox.next()
        }
    }

    @inlinable
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(inbox: self)
    }
}
