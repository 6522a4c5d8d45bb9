import Flow
import FlowTesting
import MetricsTestKit
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@Suite(.timeLimit(.minutes(1)))
struct LifecycleTests {
    /// Drain: the source stops reading; everything it read passes every stage; nothing is lost.
    @Test func drain_finishesEverythingInFlight_andLosesNothing() async throws {
        let metrics = TestMetrics()
        let arrived = Gate()
        let gate = Gate()
        let stored = Recorder<Int>()
        try await PipelineTest.run(Int.self, configuration: PipelineTest.configuration(metrics: metrics)) {
            Map { (n: Int) async -> Int in
                arrived.open()
                await gate.wait()  // everything the source read stays in flight until the drain began
                return n
            }
            Batch<Int>(max: 1_000, within: .seconds(3600))
            Sink { (batch: [Int]) in for n in batch { stored.record(n) } }
        } test: { run in
            try await run.send(contentsOf: Array(0..<500))
            await arrived.wait()
            run.drain()
            gate.open()
            try await run.completion()
        }
        let read = try metrics.expectCounter("flow_stage_items_out_total", [("pipeline", "test"), ("stage", "source")])
        #expect(read.totalValue >= 1)
        #expect(stored.all == Array(0..<Int(read.totalValue)), "every item the source read is stored, once, in order")
    }

    /// Through swift-service-lifecycle: graceful shutdown makes an endless source stop reading (else the
    /// run never returns), and every item it read reaches the sink.
    @Test func gracefulShutdown_stopsAnEndlessSource_andSinksEverythingItRead() async throws {
        let read = Counter()
        let sunk = Counter()
        var configuration = PipelineTest.configuration()
        configuration.backpressure = .watermark(low: 1, high: 2, maxChunk: 1)
        let probe = ChannelProbe()
        configuration.channelProbe = probe
        let holding = Counter()
        let gate = Gate()
        let pipeline = Pipeline("drain", configuration: configuration) {
            Source { output, context in
                var n = 0
                while !context.isStopping {
                    read.increment()
                    try await output.send(n)
                    n += 1
                }
            }
            Sink { (_: Int) async in
                holding.increment()
                await gate.wait()
                sunk.increment()
            }
        }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let services = ServiceGroup(services: [pipeline], logger: PipelineTest.configuration().logger)
                    try await services.run()
                }
                // Once the sink holds its first item, taking it resumed any producer then waiting: a source
                // waiting now has read the item after the two that fill the channel, and stays waiting.
                try await waitUntil { holding.current == 1 && probe.everyChannelHasASuspendedProducer }
                let stalledAt = read.current
                #expect(stalledAt == 3, "one item in the sink's hands, two in the channel (high watermark 2)")
                trigger.triggerGracefulShutdown()
                gate.open()
                try await group.waitForAll()
            }
        }
        #expect(sunk.current == read.current)
    }

    @Test func drainDeadline_cancelsWhatIsLeft_andSaysSo() async throws {
        let clock = ManualClock()
        var configuration = PipelineTest.configuration(clock: clock)
        configuration.drainTimeout = .seconds(30)
        let never = Gate()
        try await PipelineTest.run(Int.self, configuration: configuration) {
            Sink { (_: Int) async in await never.wait() }  // ignores cancellation too: only the deadline ends it
                .concurrency(.unordered(1))
        } test: { run in
            try await run.send(1)
            run.drain()
            try await clock.waitForSleepers(1)  // the drain deadline
            clock.advance(by: .seconds(30))
            await #expect {
                try await run.completion()
            } throws: { error in
                guard case .drainTimedOut(let pipeline, let after) = error as? PipelineError else { return false }
                return pipeline == "test" && after == .seconds(30)
            }
            never.open()
        }
    }

    @Test func cancellation_endsAStalledPipelinePromptly() async throws {
        let never = Gate()
        let started = Gate()
        let pipeline = Pipeline("stuck", configuration: PipelineTest.configuration()) {
            Source(0..<1_000_000)
            Map { (n: Int) in n }
            Sink { (_: Int) async throws in
                started.open()
                try await Task.sleep(for: .seconds(3600))
                await never.wait()
            }
        }
        let run = Task { try await pipeline.run() }
        await started.wait()
        run.cancel()
        await #expect(throws: CancellationError.self) { try await run.value }
    }

    @Test func aFailingStage_cancelsTheOthers_andTheErrorSurfaces() async throws {
        let pipeline = Pipeline("fails", configuration: PipelineTest.configuration()) {
            Source(0..<1_000_000)
            Map { (n: Int) throws -> Int in
                if n == 1_000 { throw Boom(item: n) }  // reached before the stalled sink fills the channels
                return n
            }
            Batch<Int>(max: 100, within: .seconds(3600))
            Sink { (_: [Int]) async throws in try await Task.sleep(for: .seconds(3600)) }
                .concurrency(.unordered(2))
        }
        await #expect(throws: StageError.self) { try await pipeline.run() }
    }
}
