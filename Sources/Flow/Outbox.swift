/// A stage's output: sends items to the next stage.
///
/// `send` suspends while the next stage's input channel is full; that suspension is the backpressure
/// that reaches the source. Send several items at once with ``send(contentsOf:)`` where you have them:
/// they travel as one chunk.
///
/// - Important: A stage never finishes its outbox; the pipeline does once the stage returns.
public struct Outbox<Item: Sendable>: Sendable {
    enum Target: Sendable {
        case channel(ChannelStorage<Item>)
        /// The end of a pipeline nobody reads: items are counted, then dropped.
        case discard
    }

    let target: Target
    private let metrics: StageMetrics?
    private let meter: StageMeter?

    init(_ target: Target, metrics: StageMetrics? = nil, meter: StageMeter? = nil) {
        self.target = target
        self.metrics = metrics
        self.meter = meter
    }

    package init(_ channel: ChannelStorage<Item>) {
        self.init(.channel(channel))
    }

    static var discard: Outbox { Outbox(.discard) }

    func attributed(to metrics: StageMetrics, meter: StageMeter?) -> Outbox {
        Outbox(self.target, metrics: metrics, meter: meter)
    }

    /// Sends one item.
    ///
    /// - Throws: `CancellationError` when cancelled while waiting for room, ``OutputClosedError`` when the
    ///   next stage stopped reading.
    public func send(_ item: Item) async throws {
        try await self.send(contentsOf: [item])
    }

    /// Sends items as one chunk, in order.
    public func send(contentsOf items: [Item]) async throws {
        guard !items.isEmpty else { return }
        self.metrics?.itemsOut.increment(by: items.count)
        switch self.target {
        case .discard:
            return
        case .channel(let channel):
            let waited = try await channel.send(items)
            if waited > .zero { self.meter?.waited(waited) }
        }
    }
}
