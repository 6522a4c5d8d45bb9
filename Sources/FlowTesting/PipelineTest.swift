import CoreMetrics
import Flow
import Logging
import Synchronization

/// Runs stages over in-memory input and collects their output: a stage author's whole test kit.
///
/// ```swift
/// let doubled = try await PipelineTest.collect([1, 2, 3]) {
///     Map { (n: Int) in n * 2 }
/// }
/// #expect(doubled == [2, 4, 6])
/// ```
///
/// For time-based stages, feed items and move a ``ManualClock`` by hand:
///
/// ```swift
/// let clock = ManualClock()
/// try await PipelineTest.run(Int.self, clock: clock) {
///     Batch<Int>(max: 10, within: .seconds(1))
/// } test: { run in
///     try await run.send(1, 2)
///     try await clock.waitForSleepers(1)
///     clock.advance(by: .seconds(1))
///     #expect(try await run.next() == [1, 2])
/// }
/// ```
public enum PipelineTest {
    /// A configuration for tests: no logging, metrics to `metrics` if given, time from `clock` if given.
    public static func configuration(
        clock: ManualClock? = nil,
        metrics: (any MetricsFactory)? = nil
    ) -> PipelineConfiguration {
        var configuration = PipelineConfiguration()
        configuration.logger = Logger(label: "flow-test", factory: { _ in SwiftLogNoOpLogHandler() })
        if let clock { configuration.clock = FlowClock(clock) }
        if let metrics { configuration.metricsFactory = metrics }
        return configuration
    }

    /// Runs `stages` over `items` until they are all through, returning everything that came out.
    public static func collect<Input: Sendable, Stages: Stage>(
        _ items: [Input],
        configuration: PipelineConfiguration = PipelineTest.configuration(),
        @StageBuilder _ stages: () -> Stages
    ) async throws -> [Stages.Output] where Stages.Input == Input {
        let pipeline = Pipeline("test", configuration: configuration) {
            Source(items)
            stages()
        }
        let collected = ChannelStorageCollector<Stages.Output>()
        try await pipeline.run(output: collected.outbox, stop: StopSignal())
        collected.finish()
        return try await collected.all()
    }

    /// Runs `stages` while `test` feeds them and reads what comes out.
    ///
    /// When `test` returns, input is finished and the pipeline is cancelled if it is still running.
    /// - Parameters:
    ///   - inputCapacity: the bound of the test's input feed (how many items `send` accepts ahead).
    ///   - outputCapacity: the bound of the collected output; the pipeline waits when it is full and
    ///     the test does not read.
    public static func run<Stages: Stage, Result: Sendable>(
        _ input: Stages.Input.Type = Stages.Input.self,
        clock: ManualClock? = nil,
        configuration: PipelineConfiguration? = nil,
        inputCapacity: Int = 1024,
        outputCapacity: Int = 1_000_000,
        @StageBuilder _ stages: () -> Stages,
        test: (TestRun<Stages.Input, Stages.Output>) async throws -> Result
    ) async throws -> Result {
        let configuration = configuration ?? PipelineTest.configuration(clock: clock)
        let feed = TestFeed<Stages.Input>(capacity: inputCapacity)
        let pipeline = Pipeline("test", configuration: configuration) {
            feed.source
            stages()
        }
        let collected = ChannelStorageCollector<Stages.Output>(capacity: outputCapacity)
        let stop = StopSignal()
        let outcome = SetOnce<Swift.Result<Void, any Error>>()
        let run = TestRun(feed: feed, output: collected, stop: stop, outcome: outcome)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await pipeline.run(output: collected.outbox, stop: stop)
                    outcome.set(.success(()))
                } catch {
                    outcome.set(.failure(error))
                }
                collected.finish()
            }
            defer { group.cancelAll() }
            let result = try await test(run)
            feed.finish()
            return result
        }
    }
}

/// A running test pipeline: feed it, drain it, read what comes out.
public struct TestRun<Input: Sendable, Output: Sendable>: Sendable {
    let feed: TestFeed<Input>
    let output: ChannelStorageCollector<Output>
    let stop: StopSignal
    let outcome: SetOnce<Swift.Result<Void, any Error>>

    /// Feeds items to the first stage, waiting while the feed is full (backpressure).
    public func send(_ items: Input...) async throws {
        try await self.feed.send(items)
    }

    public func send(contentsOf items: [Input]) async throws {
        try await self.feed.send(items)
    }

    /// Ends the input: the stages finish what they have, then the pipeline returns.
    public func finish() {
        self.feed.finish()
    }

    /// Begins a graceful drain, as SIGTERM would: the source stops reading, in-flight items finish.
    public func drain() {
        self.stop.stop()
    }

    /// The next item out of the last stage, or `nil` once the pipeline has ended.
    public func next() async throws -> Output? {
        try await self.output.next()
    }

    /// Every item out of the last stage until the pipeline ends. Rethrows the pipeline's error.
    public func collect() async throws -> [Output] {
        let items = try await self.output.all()
        try await self.completion()
        return items
    }

    /// How many stages wait for room in the collected output now: above zero, the last stage is suspended in
    /// its `send` and stays so until the test reads (``next()``). For Flow's own backpressure tests.
    package var suspendedOutputProducers: Int {
        self.output.suspendedProducers
    }

    /// Waits for the pipeline to end; rethrows its error (`CancellationError` when the test is cancelled).
    public func completion() async throws {
        try await self.outcome.wait().get()
    }
}

/// The feed a ``TestRun`` sends into, read by a source that stops reading when the pipeline drains.
final class TestFeed<Item: Sendable>: Sendable {
    let channel: ChannelStorage<Item>

    init(capacity: Int) {
        self.channel = ChannelStorage(backpressure: .capacity(capacity))
    }

    func send(_ items: [Item]) async throws {
        try await self.channel.send(items)
    }

    func finish() {
        self.channel.finish()
    }

    var source: Source<Item> {
        let channel = self.channel
        return Source { output, context in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await context.stopRequested()
                    channel.wake()
                }
                defer { group.cancelAll() }
                while !context.isStopping {
                    switch await channel.next(wakeable: true) {
                    case .chunk(let chunk): try await output.send(contentsOf: chunk)
                    case .wake: continue
                    case .end: return
                    case .cancelled: throw CancellationError()
                    }
                }
            }
        }
    }
}

/// Collects a pipeline's output in a bounded channel the test reads.
final class ChannelStorageCollector<Item: Sendable>: Sendable {
    private let channel: ChannelStorage<Item>
    private let pending = Mutex<[Item]>([])

    init(capacity: Int = 1_000_000) {
        self.channel = ChannelStorage(backpressure: .capacity(capacity))
    }

    var outbox: Outbox<Item> { Outbox(self.channel) }

    var suspendedProducers: Int { self.channel.suspendedProducers }

    func finish() {
        self.channel.finish()
    }

    func next() async throws -> Item? {
        while true {
            let item = self.pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            if let item { return item }
            switch await self.channel.next(wakeable: false) {
            case .chunk(let chunk): self.pending.withLock { $0.append(contentsOf: chunk) }
            case .end: return nil
            case .wake: continue
            case .cancelled: throw CancellationError()
            }
        }
    }

    func all() async throws -> [Item] {
        var items: [Item] = []
        while let item = try await self.next() { items.append(item) }
        return items
    }
}
