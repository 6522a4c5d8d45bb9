import Flow
import FlowTesting
import MetricsTestKit
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct MetricsTests {
    @Test func everyStage_countsItemsInAndOut_withPipelineAndStageLabels() async throws {
        let metrics = TestMetrics()
        let configuration = PipelineTest.configuration(metrics: metrics)
        _ = try await PipelineTest.collect(Array(1...1_000), configuration: configuration) {
            Filter { (n: Int) in n % 4 == 0 }
            Map { (n: Int) in n }.named("identity")
        }
        func total(_ label: String, _ stage: String) throws -> Int64 {
            try metrics.expectCounter(label, [("pipeline", "test"), ("stage", stage)]).totalValue
        }
        #expect(try total("flow_stage_items_out_total", "source") == 1_000)
        #expect(try total("flow_stage_items_in_total", "filter") == 1_000)
        #expect(try total("flow_stage_items_out_total", "filter") == 250)
        #expect(try total("flow_stage_items_in_total", "identity") == 250)
        #expect(try total("flow_stage_items_out_total", "identity") == 250)
    }

    @Test func processingTime_andQueueDepth_areRecorded() async throws {
        let metrics = TestMetrics()
        let configuration = PipelineTest.configuration(metrics: metrics)
        _ = try await PipelineTest.collect(Array(1...1_000), configuration: configuration) {
            Map { (n: Int) in n }
        }
        let dimensions = [("pipeline", "test"), ("stage", "map")]
        let timer = try metrics.expectTimer("flow_stage_processing_seconds", dimensions)
        #expect(!timer.values.isEmpty)
        #expect(timer.values.allSatisfy { $0 >= 0 })
        let depth = try metrics.expectGauge("flow_stage_queue_items", dimensions)
        #expect(!depth.values.isEmpty)
        #expect(depth.values.allSatisfy { $0 >= 0 && $0 <= Double(Backpressure.default.high + 256) })
    }

    @Test func busyTime_addsUpAtLeastWhatTheStageSpentOnItems_andNoMoreThanTheWallClock() async throws {
        let metrics = SecondsCountingMetrics()
        let spent = Mutex(Duration.zero)
        let began = ContinuousClock.now
        _ = try await PipelineTest.collect(Array(1...200), configuration: PipelineTest.configuration(metrics: metrics))
        {
            Map { (n: Int) in
                let start = ContinuousClock.now
                var x = n
                for i in 0..<20_000 { x = x &* 31 &+ i }
                spent.withLock { $0 += start.duration(to: .now) }
                return x
            }
        }
        let wall = began.duration(to: .now) / .seconds(1)
        let busy = try #require(
            metrics.total("flow_stage_busy_seconds_total", [("pipeline", "test"), ("stage", "map")])
        )
        let own = spent.withLock { $0 } / .seconds(1)
        #expect(busy >= own, "the stage's own time is inside its busy time")
        #expect(busy <= wall, "a stage without concurrency is busy no longer than the run")
    }
}
