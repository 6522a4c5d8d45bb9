import Flow
import FlowTesting
import Testing

/// Stage taps: what leaves a stage, as JSON lines, for whoever subscribes, never slowing the pipeline.
@Suite(.timeLimit(.minutes(1)))
struct TapTests {
    /// An item that counts how often a tap renders it.
    struct Counted: CustomTapRepresentation, Sendable {
        let n: Int
        let renders: Counter

        var tapJSON: String {
            self.renders.increment()
            return "{\"n\":\(self.n)}"
        }
    }

    struct Point: Encodable, Sendable {
        var y: Int
        var x: Int
    }

    struct Labelled: CustomTapRepresentation, Encodable, Sendable {
        var label: String
        var tapJSON: String { "{\"custom\":\"\(self.label)\"}" }
    }

    struct Opaque: Sendable {
        var value: Int
    }

    /// A pipeline whose source waits for `gate` (so a test subscribes first), then sends `items`.
    func pipeline<Item: Sendable>(
        _ items: [Item],
        after gate: Gate,
        sunk: Counter = Counter()
    ) -> Pipeline<Never> {
        Pipeline("tapped", configuration: PipelineTest.configuration()) {
            Source { output, _ in
                await gate.wait()
                try await output.send(contentsOf: items)
            }
            Map { (item: Item) in item }.named("pass")
            Sink { (_: Item) in sunk.increment() }
        }
    }

    @Test func tappedStage_handsEachItemLeavingIt_inOrder_untilThePipelineStops() async throws {
        let gate = Gate()
        let pipeline = Pipeline("tapped", configuration: PipelineTest.configuration()) {
            Source { output, _ in
                await gate.wait()
                try await output.send(contentsOf: Array(1...300))
            }
            Map { (n: Int) in n * 2 }.named("double")
            Sink { (_: Int) in }
        }
        let subscription = try #require(pipeline.taps["double"]).subscribe()
        async let run: Void = pipeline.run()
        gate.open()
        var lines: [String] = []
        var dropped = 0
        for await chunk in subscription {
            lines += chunk.items
            dropped += chunk.dropped
        }
        try await run
        #expect(lines == (1...300).map { "\($0 * 2)" })
        #expect(dropped == 0)
        #expect(subscription.end == .pipelineStopped)
        #expect(subscription.taken == 300)
    }

    @Test func untappedPipeline_rendersNothing_andDeliversEveryItem() async throws {
        let renders = Counter()
        let sunk = Counter()
        let gate = Gate()
        gate.open()
        let items = (0..<10_000).map { Counted(n: $0, renders: renders) }
        let pipeline = self.pipeline(items, after: gate, sunk: sunk)
        try await pipeline.run()
        #expect(sunk.current == 10_000)
        #expect(renders.current == 0)
        #expect(pipeline.taps.stages.allSatisfy { !$0.isTapped })
    }

    @Test func slowSubscriber_keepsWhatFitsItsBuffer_theRestIsDroppedAndCounted_andThePipelineNeverWaits()
        async throws
    {
        let renders = Counter()
        let sunk = Counter()
        let gate = Gate()
        let pipeline = self.pipeline((0..<10_000).map { Counted(n: $0, renders: renders) }, after: gate, sunk: sunk)
        let subscription = try #require(pipeline.taps["pass"]).subscribe(buffer: 4)
        gate.open()
        // Nobody reads the subscription while the pipeline runs: were the tap to wait for room, this would hang.
        try await pipeline.run()
        #expect(sunk.current == 10_000)
        let chunk = try #require(await subscription.next())
        #expect(chunk.items == (0..<4).map { "{\"n\":\($0)}" })
        #expect(chunk.dropped == 9_996)
        #expect(await subscription.next() == nil)
        #expect(subscription.dropped == 9_996)
        #expect(renders.current == 4, "only the items a subscriber took were rendered")
    }

    @Test func limit_endsTheSubscription_andUntapsTheStage_whileThePipelineGoesOn() async throws {
        let renders = Counter()
        let sunk = Counter()
        let gate = Gate()
        let pipeline = self.pipeline((0..<1_000).map { Counted(n: $0, renders: renders) }, after: gate, sunk: sunk)
        let tap = try #require(pipeline.taps["pass"])
        let subscription = tap.subscribe(limit: 5)
        #expect(tap.isTapped)
        async let run: Void = pipeline.run()
        gate.open()
        var lines: [String] = []
        for await chunk in subscription { lines += chunk.items }
        #expect(lines == (0..<5).map { "{\"n\":\($0)}" })
        #expect(subscription.end == .limitReached)
        #expect(subscription.dropped == 0, "items past the limit are not wanted, so not dropped")
        #expect(!tap.isTapped)
        try await run
        #expect(sunk.current == 1_000)
        #expect(renders.current == 5)
    }

    @Test func items_renderAsTheirOwnJSON_elseEncoded_elseTheirDescription_andSinksSendNothing() async throws {
        let gate = Gate()
        let pipeline = Pipeline("render", configuration: PipelineTest.configuration()) {
            Source { output, _ in
                await gate.wait()
                try await output.send(1)
            }
            Map { (n: Int) in Point(y: n + 1, x: n) }.named("point")
            Map { (point: Point) in Labelled(label: "p\(point.x)") }.named("labelled")
            Batch<Labelled>(max: 2, within: .milliseconds(10))
            Map { (batch: [Labelled]) in Opaque(value: batch.count) }.named("opaque")
            Sink { (_: Opaque) in }
        }
        let taps = pipeline.taps
        #expect(taps.stageNames == pipeline.stageNames)
        #expect(taps.stages.map(\.outputType) == ["Int", "Point", "Labelled", "[Labelled]", "Opaque", "Never"])
        #expect(taps.stages.map(\.sendsItems) == [true, true, true, true, true, false])
        let subscriptions = try ["source", "point", "labelled", "batch", "opaque"].map { stage in
            try #require(taps[stage]).subscribe(limit: 1)
        }
        async let run: Void = pipeline.run()
        gate.open()
        var lines: [String] = []
        for subscription in subscriptions { lines.append(await subscription.next()?.items.first ?? "(none)") }
        try await run
        #expect(
            lines == [
                "1",
                #"{"x":1,"y":2}"#,  // Encodable, keys sorted
                #"{"custom":"p1"}"#,  // its own JSON wins over Encodable
                #"[{"custom":"p1"}]"#,  // an array of items that render themselves
                #""Opaque(value: 1)""#,  // neither: its description, as a JSON string
            ]
        )
        #expect(taps["nope"] == nil)
    }

    @Test func subscribingOnceThePipelineHasStopped_endsAtOnce() async throws {
        let gate = Gate()
        gate.open()
        let pipeline = self.pipeline([1, 2, 3], after: gate)
        try await pipeline.run()
        let subscription = try #require(pipeline.taps["pass"]).subscribe()
        #expect(await subscription.next() == nil)
        #expect(subscription.end == .pipelineStopped)
        #expect(pipeline.taps.stages.allSatisfy { !$0.isTapped })
    }

    @Test func finish_andTheReadersCancellation_endTheSubscription_andUntapTheStage() async throws {
        let pipeline = self.pipeline([1], after: Gate())
        let tap = try #require(pipeline.taps["pass"])
        let finished = tap.subscribe()
        finished.finish()
        #expect(await finished.next() == nil)
        #expect(finished.end == .finished)

        let cancelled = tap.subscribe()
        let reader = Task { await cancelled.next() }
        #expect(tap.isTapped)
        reader.cancel()
        #expect(await reader.value == nil)
        #expect(cancelled.end == .finished)
        #expect(!tap.isTapped)
    }
}
