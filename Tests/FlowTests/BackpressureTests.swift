import Flow
import FlowTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct BackpressureTests {
    /// A sink that does not read makes every channel upstream fill and the source wait. With unbounded
    /// channels the source would produce all 1,000,000 items.
    @Test func stalledSink_boundsWhatTheSourceProduces() async throws {
        var configuration = PipelineTest.configuration()
        configuration.backpressure = .watermark(low: 8, high: 16, maxChunk: 16)
        let probe = ChannelProbe()
        configuration.channelProbe = probe
        let produced = Counter()
        let gate = Gate()
        let sunk = Counter()
        let holding = Counter()
        let pipeline = Pipeline("stalled", configuration: configuration) {
            Source { output, _ in
                for item in 0..<1_000_000 {
                    produced.increment()
                    try await output.send(item)
                }
            }
            Map { (n: Int) in n + 1 }
            Map { (n: Int) in n * 2 }
            Sink { (_: Int) async in
                holding.increment()
                await gate.wait()
                sunk.increment()
            }
        }
        let run = Task { try await pipeline.run() }
        // Once the sink holds its first item at the gate (it reads no more), a producer found waiting in
        // every channel stays waiting: nothing moves.
        try await waitUntil { holding.current == 1 && probe.everyChannelHasASuspendedProducer }
        #expect(probe.suspendedProducers.count == 3)
        let stalledAt = produced.current
        // 3 channels of at most 16 + 16 items each, plus one chunk in the hands of each of 4 stages.
        let bound = 3 * 32 + 4 * 16
        #expect(stalledAt <= bound, "the source produced \(stalledAt) items while the sink was stalled")
        #expect(stalledAt >= 16, "the pipeline should fill its channels before stalling (got \(stalledAt))")
        gate.open()
        try await run.value
        #expect(produced.current == 1_000_000)
        #expect(sunk.current == 1_000_000)
    }

    @Test func slowTestReader_holdsThePipelineAtItsOutputBound() async throws {
        let produced = Counter()
        var configuration = PipelineTest.configuration()
        configuration.backpressure = .watermark(low: 2, high: 4, maxChunk: 4)
        try await PipelineTest.run(Int.self, configuration: configuration, outputCapacity: 4) {
            Map { (n: Int) in
                produced.increment()
                return n
            }
        } test: { run in
            let feeder = Task { try await run.send(contentsOf: Array(0..<10_000)) }
            // The map waits for room in the output nobody reads: it runs no more until the test reads.
            try await waitUntil { run.suspendedOutputProducers == 1 }
            let stalledAt = produced.current
            #expect(stalledAt < 64, "the map ran \(stalledAt) times with nobody reading")
            var got: [Int] = []
            while got.count < 10_000, let item = try await run.next() { got.append(item) }
            #expect(got == Array(0..<10_000))
            try await feeder.value
        }
    }
}
