import Synchronization

/// The tap point on one stage's output: lets an operator see the items leaving the stage while the
/// pipeline runs (`flowrun tap`), without slowing it down.
///
/// ```swift
/// let subscription = pipeline.taps["decode"]!.subscribe(limit: 100)
/// ```
///
/// Every stage of a ``Pipeline`` has one (``PipelineTaps``). Nobody subscribed, a chunk of items leaving
/// the stage costs one relaxed atomic load. While someone is, each item some subscriber has room for is
/// rendered once as a JSON line (see ``CustomTapRepresentation``) and offered to every subscriber.
///
/// - Important: A tap never applies backpressure: a subscriber whose buffer is full gets the items
///   dropped (and counted), and the stage goes on at once. Rendering runs on the stage's task, so it is
///   only done for items a subscriber will take. Subscribers see the items sent after they subscribed.
public final class StageTap: Sendable {
    /// The pipeline's name.
    public let pipeline: String
    /// The stage's unique name in the pipeline, as in its metric labels.
    public let stage: String
    /// The type of the items leaving the stage, e.g. `PositionEntry`; `Never` for a sink.
    public let outputType: String
    /// Whether items ever leave the stage (a sink's output is `Never`: tapping it shows nothing).
    public let sendsItems: Bool

    /// The number of subscriptions: the one thing the stage reads per chunk.
    private let subscriberCount = Atomic<Int>(0)
    private let state = Mutex<(subscriptions: [TapSubscription], closed: Bool)>(([], false))

    init(pipeline: String, stage: String, outputType: Any.Type) {
        self.pipeline = pipeline
        self.stage = stage
        self.outputType = Self.typeName(outputType)
        self.sendsItems = outputType != Never.self
    }

    /// `PositionEntry`, `[PositionEntry]` (not `Array<PositionEntry>`), `Never`.
    private static func typeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        guard name.hasPrefix("Array<"), name.hasSuffix(">") else { return name }
        return "[" + name.dropFirst("Array<".count).dropLast() + "]"
    }

    /// Whether anybody is subscribed now.
    public var isTapped: Bool { self.subscriberCount.load(ordering: .relaxed) > 0 }

    /// Subscribes to the items leaving the stage from now on.
    ///
    /// - Parameters:
    ///   - limit: End after this many items; nil: until the pipeline stops or ``TapSubscription/finish()``.
    ///   - buffer: How many rendered items may wait for the reader; more are dropped. Default: 1,000.
    /// - Returns: A subscription; once the pipeline has stopped, one that has already ended.
    public func subscribe(limit: Int? = nil, buffer: Int = 1_000) -> TapSubscription {
        let subscription = TapSubscription(tap: self, buffer: buffer, limit: limit)
        let closed = self.state.withLock { state in
            if state.closed { return true }
            state.subscriptions.append(subscription)
            self.subscriberCount.store(state.subscriptions.count, ordering: .relaxed)
            return false
        }
        if closed { subscription.finish(.pipelineStopped) }
        return subscription
    }

    /// Called with every chunk leaving the stage; does nothing unless somebody is subscribed.
    @inlinable
    func sent<Item>(_ items: [Item]) {
        if self.isTapped { self.publish(items) }
    }

    @usableFromInline @inline(never)
    func publish<Item>(_ items: [Item]) {
        let subscriptions = self.state.withLock { $0.subscriptions }
        var wanted = 0
        for subscription in subscriptions { wanted = max(wanted, subscription.wants(items.count)) }
        let rendered = items.prefix(wanted).map { TapRendering.json(of: $0) }
        var ended: [TapSubscription] = []
        for subscription in subscriptions where subscription.offer(rendered, of: items.count) {
            ended.append(subscription)
        }
        for subscription in ended { self.remove(subscription) }
    }

    /// Forgets `subscription` (it ended); a no-op when it is not subscribed.
    func remove(_ subscription: TapSubscription) {
        self.state.withLock { state in
            state.subscriptions.removeAll { $0 === subscription }
            self.subscriberCount.store(state.subscriptions.count, ordering: .relaxed)
        }
    }

    /// The pipeline began a run: subscribing is possible again.
    func open() {
        self.state.withLock { $0.closed = false }
    }

    /// The pipeline stopped: every subscription ends, and later ones end at once.
    func close() {
        let subscriptions = self.state.withLock { state in
            state.closed = true
            return state.subscriptions
        }
        for subscription in subscriptions { subscription.finish(.pipelineStopped) }
    }
}
