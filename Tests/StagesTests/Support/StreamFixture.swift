import CoreMetrics
import Flow
import FlowTesting
import Stages

/// ``FakeStreams``, ``InFlightEntries`` and a manual clock shared by the pipeline and the fake: time moves, for backoff,
/// the claim cadence and idle entries alike, only when the test advances it.
struct StreamFixture {
    let clock = ManualClock()
    let redis: FakeStreams
    let inFlight = InFlightEntries()

    init() {
        self.redis = FakeStreams(clock: self.clock)
    }

    func streamSource(
        startAt: GroupStart = .beginning,
        readCount: Int = 10,
        claimIdle: Duration = .seconds(60)
    ) -> StreamSource {
        StreamSource(
            redis: self.redis,
            settings: .init(
                stream: Telemetry.stream,
                group: Telemetry.group,
                consumer: Telemetry.consumer,
                startAt: startAt,
                readCount: readCount,
                block: .seconds(1),
                claimIdle: claimIdle
            ),
            inFlight: self.inFlight
        )
    }

    func liveSource() -> LiveStreamSource {
        LiveStreamSource(
            redis: self.redis,
            settings: .init(
                stream: Telemetry.stream,
                group: "live-broadcast-a",
                consumer: Telemetry.consumer,
                readCount: 10,
                block: .seconds(1)
            )
        )
    }

    /// Runs `source` alone while `test` reads what it sends; its metrics to `metrics` if given.
    func run<Source: Stage, Result: Sendable>(
        _ source: Source,
        metrics: (any MetricsFactory)? = nil,
        test: (TestRun<Never, Source.Output>) async throws -> Result
    ) async throws -> Result where Source.Input == Never {
        let configuration = PipelineTest.configuration(clock: self.clock, metrics: metrics)
        return try await PipelineTest.run(Never.self, configuration: configuration) {
            source
        } test: { run in
            try await test(run)
        }
    }

    /// Returns once the source has read everything there is and waits for more, for the `parks`-th time.
    func caughtUp(_ parks: Int = 1) async throws {
        try await self.redis.wait { $0.parkedReads == 1 && $0.parks >= parks }
    }

    /// Moves time on and lets the waiting read answer, then returns once the source waits again: one more turn
    /// of its loop, with `duration` passed.
    func turn(after duration: Duration) async throws {
        let parks = self.redis.state.read(\.parks)
        try await self.caughtUp(parks)
        self.clock.advance(by: duration)
        self.redis.wakeBlockedReads()
        try await self.caughtUp(parks + 1)
    }

    /// Drains the pipeline (the waiting read answers at once) and returns what it sent after what was read.
    func drain<Output: Sendable>(_ run: TestRun<Never, Output>) async throws -> [Output] {
        run.drain()
        self.redis.answerBlockedReadsAtOnce()
        return try await run.collect()
    }
}

/// Passes items on, counting them: what a test reads to see that nothing has passed yet.
func counting<Item: Sendable>(_ item: Item.Type, into counter: Watched<Int>) -> Map<Item, Item> {
    Map { (item: Item) in
        counter.update { $0 += 1 }
        return item
    }
}

/// The next `count` items out of a test pipeline.
func next<Input: Sendable, Output: Sendable>(_ count: Int, of run: TestRun<Input, Output>) async throws -> [Output] {
    var items: [Output] = []
    while items.count < count, let item = try await run.next() { items.append(item) }
    return items
}
