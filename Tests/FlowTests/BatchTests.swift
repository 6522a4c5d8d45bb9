import Flow
import FlowTesting
import MetricsTestKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct BatchTests {
    @Test func fullBatches_leaveByCount_withoutTheClockMoving() async throws {
        let clock = ManualClock()
        try await PipelineTest.run(Int.self, clock: clock) {
            Batch<Int>(max: 3, within: .seconds(1))
        } test: { run in
            try await run.send(contentsOf: Array(1...7))
            #expect(try await run.next() == [1, 2, 3])
            #expect(try await run.next() == [4, 5, 6])
            #expect(clock.now.offset == .zero)
        }
    }

    @Test func partialBatch_leavesWhenItsWindowCloses() async throws {
        let clock = ManualClock()
        try await PipelineTest.run(Int.self, clock: clock) {
            Batch<Int>(max: 100, within: .seconds(1))
        } test: { run in
            try await run.send(1, 2)
            try await clock.waitForSleepers(1)  // the window timer sleeps until t+1s
            clock.advance(by: .milliseconds(999))
            #expect(clock.sleeperCount == 1, "the window must still be open at 999 ms")
            clock.advance(by: .milliseconds(1))
            #expect(try await run.next() == [1, 2])
            // The next window starts with the next item, not with the clock.
            clock.advance(by: .seconds(5))
            try await run.send(3)
            try await clock.waitForSleepers(1)
            clock.advance(by: .seconds(1))
            #expect(try await run.next() == [3])
        }
    }

    @Test func windowIsTimedFromTheBatchsFirstItem() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        try await PipelineTest.run(Int.self, configuration: PipelineTest.configuration(clock: clock, metrics: metrics))
        {
            Batch<Int>(max: 100, within: .seconds(1))
        } test: { run in
            try await run.send(1)
            try await clock.waitForSleepers(1)
            let taken = try metrics.expectCounter(
                "flow_stage_items_in_total",
                [("pipeline", "test"), ("stage", "batch")]
            )
            clock.advance(by: .milliseconds(600))
            try await run.send(2)
            // Item 2 is in the batch's hands (it has taken it from its input) before its window closes.
            try await waitUntil { taken.totalValue == 2 }
            clock.advance(by: .milliseconds(400))
            #expect(try await run.next() == [1, 2])
        }
    }

    @Test func chunksOfEverySize_fillBatchesInOrder_asTheyAreOrSplit() async throws {
        let clock = ManualClock()
        try await PipelineTest.run(Int.self, clock: clock) {
            Batch<Int>(max: 10, within: .seconds(3600))
        } test: { run in
            var next = 0
            // Whole chunks that start a batch, chunks appended to one, and chunks split across batches.
            for size in [10, 3, 10, 7, 1, 25, 4, 6, 10] {
                try await run.send(contentsOf: Array(next..<next + size))
                next += size
            }
            run.finish()
            let batches = try await run.collect()
            #expect(batches.flatMap { $0 } == Array(0..<next))
            #expect(batches.dropLast().allSatisfy { $0.count == 10 } && batches.last?.count == 6)
        }
    }

    @Test func endOfInput_sendsThePartialBatchAtOnce() async throws {
        let clock = ManualClock()
        try await PipelineTest.run(Int.self, clock: clock) {
            Batch<Int>(max: 10, within: .seconds(3600))
        } test: { run in
            try await run.send(contentsOf: Array(1...12))
            run.finish()
            #expect(try await run.collect() == [Array(1...10), [11, 12]])
        }
    }

    @Test func manyItems_batchesHoldEveryItemOnceInOrder() async throws {
        let items = Array(0..<100_003)
        let batches = try await PipelineTest.collect(items) {
            Batch<Int>(max: 500, within: .seconds(3600))
        }
        #expect(batches.allSatisfy { $0.count <= 500 })
        #expect(batches.dropLast().allSatisfy { $0.count == 500 })
        #expect(batches.flatMap { $0 } == items)
    }
}
