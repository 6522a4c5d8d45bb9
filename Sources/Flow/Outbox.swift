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
    enum Target: Sendable {
        case channel(ChannelStorage<Item>)
        /// The end of a pipeline nobody reads: items are counted, then dropped.
        case discard
    }

    let target: Target
    private let metrics: StageMetrics?
    private let tap: StageTap?
    private let meter: StageMeter?

    init(_ target: Target, metrics: StageMetrics? = nil, tap: StageTap? = nil, meter: StageMeter? = nil) {
        self.target = target
        self.metrics = metrics
        self.tap = tap
        self.meter = meter
    }

    package init(_ channel: ChannelStorage<Item>) {
        self.init(.channel(channel))
    }

    static var discard: Outbox { Outbox(.discard) }

    func attributed(to stage: StageRuntime, meter: StageMeter?) -> Outbox {
        Outbox(self.target, metrics: stage.metrics, tap: stage.tap, meter: meter)
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
