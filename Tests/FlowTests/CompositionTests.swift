import Flow
import FlowTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct CompositionTests {
    @Test func perItemStages_composeInOrder() async throws {
        let out = try await PipelineTest.collect(["1", "2", "x", "3", "4"]) {
            CompactMap { (text: String) in Int(text) }
            Filter { (n: Int) in n % 2 == 0 }
            FlatMap { (n: Int) in [n, n * 10] }
            Map { (n: Int) async in "#\(n)" }
        }
        #expect(out == ["#2", "#20", "#4", "#40"])
    }

    @Test func sink_seesEveryItemInOrder() async throws {
        let seen = Recorder<Int>()
        let out = try await PipelineTest.collect(Array(1...1_000)) {
            Sink { (n: Int) in seen.record(n) }
        }
        #expect(out.isEmpty)
        #expect(seen.all == Array(1...1_000))
    }

    @Test func optionalAndEitherStages_followTheCondition() async throws {
        for double in [true, false] {
            let out = try await PipelineTest.collect([1, 2, 3]) {
                if double {
                    Map { (n: Int) in n * 2 }
                }
                if double {
                    Map { (n: Int) in "d\(n)" }
                } else {
                    Map { (n: Int) in "s\(n)" }
                }
            }
            #expect(out == (double ? ["d2", "d4", "d6"] : ["s1", "s2", "s3"]))
        }
    }

    @Test func stageNames_areUniqueAndFollowTheStructure() {
        let pipeline = Pipeline("names") {
            Source([1])
            Map { (n: Int) in n }
            Map { (n: Int) in n }.named("double")
            Map { (n: Int) in n }
            Broadcast<Int, Never> {
                Sink { (_: Int) in }
                Branch {
                    Batch<Int>(max: 2, within: .seconds(1))
                    Sink { (_: [Int]) in }
                }
            }
        }
        #expect(
            pipeline.stageNames == [
                "source", "map", "double", "map-2", "broadcast", "broadcast/1/sink", "broadcast/2/batch",
                "broadcast/2/sink",
            ]
        )
    }

    @Test func broadcast_sendsEveryItemToEveryBranch_andMergesTheirOutput() async throws {
        let out = try await PipelineTest.collect(Array(1...500)) {
            Broadcast<Int, String> {
                Map { (n: Int) in "a\(n)" }
                Branch {
                    Filter { (n: Int) in n % 100 == 0 }
                    Map { (n: Int) in "b\(n)" }
                }
            }
        }
        #expect(out.filter { $0.hasPrefix("a") } == (1...500).map { "a\($0)" })
        #expect(out.filter { $0.hasPrefix("b") } == ["b100", "b200", "b300", "b400", "b500"])
    }

    @Test func unbatch_isTheInverseOfBatch() async throws {
        let items = Array(0..<10_000)
        let out = try await PipelineTest.collect(items) {
            Batch<Int>(max: 7, within: .seconds(60))
            Unbatch<Int>()
        }
        #expect(out == items)
    }

    @Test func wholeStreamStage_writtenByHand_runsInAPipeline() async throws {
        struct RunningTotal: Stage {
            func run(_ input: Inbox<Int>, _ output: Outbox<Int>, _ context: StageContext) async throws {
                var total = 0
                for try await chunk in input {
                    var totals: [Int] = []
                    for n in chunk {
                        total += n
                        totals.append(total)
                    }
                    try await output.send(contentsOf: totals)
                }
            }
        }
        let out = try await PipelineTest.collect([1, 2, 3, 4]) { RunningTotal() }
        #expect(out == [1, 3, 6, 10])
        #expect(
            Pipeline("x") {
                Source([1])
                RunningTotal()
            }.stageNames == ["source", "running-total"]
        )
    }

    @Test func stageThatStopsReadingEarly_endsThePipelineQuietly() async throws {
        struct FirstThree: Stage {
            func run(_ input: Inbox<Int>, _ output: Outbox<Int>, _ context: StageContext) async throws {
                var taken = 0
                for try await chunk in input {
                    for n in chunk where taken < 3 {
                        try await output.send(n)
                        taken += 1
                    }
                    if taken == 3 { return }
                }
            }
        }
        let out = try await PipelineTest.collect(Array(0..<100_000)) { FirstThree() }
        #expect(out == [0, 1, 2])
    }
}

@Suite(.timeLimit(.minutes(1)))
struct NoHoldingBackTests {
    /// A hop carries what is ready: one item passes five stages at once, with no more input behind it
    /// and the input still open. A stage that waited to fill a chunk would never deliver it.
    @Test func singleItem_passesFiveStages_withoutWaitingForMore() async throws {
        try await PipelineTest.run(Int.self) {
            Map { (n: Int) in n + 1 }
            Map { (n: Int) in n * 2 }
            Filter { (_: Int) in true }
            Map { (n: Int) async in n - 1 }
            FlatMap { (n: Int) in [n] }
        } test: { run in
            for n in 0..<50 {
                try await run.send(n)
                #expect(try await run.next() == (n + 1) * 2 - 1)
            }
        }
    }

    @Test func asyncSequenceSource_sendsEachElementAsItArrives() async throws {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let got = Recorder<Int>()
        let firstArrived = Gate()
        let pipeline = Pipeline("stream", configuration: PipelineTest.configuration()) {
            Source(stream)
            Map { (n: Int) in n * 10 }
            Sink { (n: Int) in
                got.record(n)
                firstArrived.open()
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            continuation.yield(1)
            await firstArrived.wait()  // arrives while the stream is still open
            #expect(got.all == [10])
            continuation.yield(2)
            continuation.yield(3)
            continuation.finish()
            try await group.waitForAll()
        }
        #expect(got.all == [10, 20, 30])
    }
}
