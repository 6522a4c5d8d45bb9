import Flow
import FlowTesting
import MetricsTestKit
import Stages
import Testing

/// live-broadcast's timing branch: ``DecodeCrossing`` and ``CrossingFanOut``.
@Suite(.timeLimit(.minutes(1)))
struct LiveTimingStagesTests {
    static func change(_ operation: CrossingChange.Operation, seq: Int) -> CrossingChange {
        var record = CrossingStreamEntryTests.record
        record.seq = seq
        return CrossingChange(operation, record)
    }

    @Test func decodeCrossing_composedAsInLiveBroadcast_reportsMalformedEntriesAndGoesOn() async throws {
        let metrics = TestMetrics()
        let changes = [Self.change(.upsert, seq: 1), Self.change(.remove, seq: 2)]
        let entries = [
            StreamEntry(id: Telemetry.id(1), fields: changes[0].streamFields),
            CrossingStreamEntryTests.streamEntry(op: "move"),
            StreamEntry(id: Telemetry.id(3), fields: changes[1].streamFields),
        ]
        let decoded = try await PipelineTest.collect(
            entries,
            configuration: PipelineTest.configuration(metrics: metrics)
        ) {
            DecodeCrossing().onError(.deadLetter { ReportMalformed() })
        }
        #expect(decoded == changes)
        let count = try metrics.expectCounter(
            "flowrun_decode_errors_total",
            [("pipeline", "test"), ("reason", "unknown_op")]
        ).totalValue
        #expect(count == 1)
    }

    @Test func crossingFanOut_publishesEachChangeInOrder() async throws {
        let publisher = RecordingCrossingPublisher()
        let changes = [Self.change(.upsert, seq: 1), Self.change(.upsert, seq: 2), Self.change(.remove, seq: 1)]
        _ = try await PipelineTest.collect(changes) { CrossingFanOut(publisher: publisher) }
        #expect(publisher.published.read { $0 } == changes)
    }
}
