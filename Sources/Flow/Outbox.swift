import CoreMetrics
import Logging

/// A stage's output: sends items to the next stage.
///
/// `send` suspends while the next stage's input channel is full; that suspension is the backpressure
/// that reaches the source. Send several items at once with ``send(contentsOf:)`` where you have them:
/// they travel as one chunk.
///
/// What a stage sends is counted in its metrics and shown to its tap's subscribers, if any (``StageTap``).
///
/// - Important: A stage never finishes its outbox; the pipeline does once the stage returns.
public struct Outbox<Item: Sendable>: Sendable {
    @usableFromInline
    enum Target: Sendable {
        case channel(ChannelStorage<Item>)
        /// The end of a pipeline nobody reads: items are counted, then dropped.
        case discard
    }

    @usableFromInline let target: Target
    @usableFromInline let metrics: StageMetrics?
    @usableFromInline let tap: StageTap?
    @usableFromInline let meter: StageMeter?

    @inlinable
    init(_ target: Target, metrics: StageMetrics? = nil, tap: StageTap? = nil, meter: StageMeter? = nil) {
        self.target = target
        self.metrics = metrics
        self.tap = tap
        self.meter = meter
    }

    @inlinable
    package init(_ channel: ChannelStorage<Item>) {
        self.init(.channel(channel))
    }

    @inlinable static var discard: Outbox { Outbox(.discard) }

    @inlinable
    func attributed(to stage: StageRuntime, meter: StageMeter?) -> Outbox {
        Outbox(self.target, metrics: stage.metrics, tap: stage.tap, meter: meter)
    }

    /// Sends one item.
    ///
    /// - Throws: `CancellationError` when cancelled while waiting for room, ``OutputClosedError`` when the
    ///   next stage stopped reading.
    @inlinable
    public func send(_ item: Item) async throws {
        try await self.send(contentsOf: [item])
    }

    /// Sends items as one chunk, in order.
    @inlinable
    public func send(contentsOf items: [Item]) async throws {
        guard !items.isEmpty else { return }
        self.metrics?.itemsOut.increment(by: items.count)
        self.tap?.sent(items)
        switch self.target {
        case .discard:
            return
        case .channel(let channel):
            let waited = try await channel.send(items)
            if waited > .zero { self.meter?.waited(waited) }
        }
    }
}
