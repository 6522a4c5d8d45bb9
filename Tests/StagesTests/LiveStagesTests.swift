import Flow
import FlowTesting
import MetricsTestKit
import Stages
import Testing

/// live-broadcast's per-item stages: ``ReportMalformed``, ``DropStale``, ``EventLookup`` and ``FanOut``.
@Suite(.timeLimit(.minutes(1)))
struct LiveStagesTests {
    @Test func malformedEntry_composedAsInLiveBroadcast_isCountedByReason_andTheOthersGoOn() async throws {
        let metrics = TestMetrics()
        let entries = [
            StreamEntry(id: Telemetry.id(1), fields: Telemetry.malformedFields),
            StreamEntry(id: Telemetry.id(2), fields: Telemetry.fields(device: "a", second: 1)),
            StreamEntry(id: Telemetry.id(3), fields: [StreamEntry.Field(name: "device_id", value: Array("a".utf8))]),
            StreamEntry(id: Telemetry.id(4), fields: Telemetry.malformedFields),
        ]
        let decoded = try await PipelineTest.collect(
            entries,
            configuration: PipelineTest.configuration(metrics: metrics)
        ) {
            Decode().onError(.deadLetter { ReportMalformed() })
        }
        #expect(decoded.map(\.entryID) == [Telemetry.id(2)])
        let counts = try ["not_json", "missing_entry_field"].map { reason in
            try metrics.expectCounter("flowrun_decode_errors_total", [("pipeline", "test"), ("reason", reason)])
                .totalValue
        }
        #expect(counts == [2, 1])
    }

    @Test func dropStale_dropsOlderAndRepeatedPositionsPerDevice_keepsNewerOnes() async throws {
        let input = Telemetry.positions([
            ("a", 100), ("a", 200), ("b", 50), ("a", 150), ("a", 200), ("b", 50), ("b", 40), ("a", 300), ("b", 60),
        ])
        let kept = try await PipelineTest.collect(input) { DropStale() }
        #expect(kept.map(\.entryID) == [1, 2, 3, 8, 9].map(Telemetry.id), "b is not held back by a's newer times")
    }

    @Test func dropStale_keepsItsNewestTimesAcrossRuns_inTheStoreItIsGiven() async throws {
        let newest = DeviceStateStore()
        _ = try await PipelineTest.collect(Telemetry.positions([("a", 100)])) { DropStale(newest: newest) }
        let kept = try await PipelineTest.collect(Telemetry.positions([("a", 100), ("a", 101)])) {
            DropStale(newest: newest)
        }
        #expect(kept.map(\.position.timestamp) == [Telemetry.time(101)])
    }

    @Test func eventLookup_aDeviceInNoEventReachesNobody_oneInSeveralCarriesThemAll() async throws {
        let registry = FakeDeviceEventLookup(["a": ["e1"], "b": ["e1", "e2"]])
        let input = Telemetry.positions([("a", 1), ("c", 1), ("b", 1)])
        let deliveries = try await PipelineTest.collect(input) { EventLookup(registry: registry) }
        #expect(
            deliveries == [
                EventDelivery(position: LivePosition(input[0].position), events: ["e1"]),
                EventDelivery(position: LivePosition(input[2].position), events: ["e1", "e2"]),
            ]
        )
        #expect(registry.devicesAsked == ["a", "c", "b"])
    }

    @Test func fanOut_publishesEachDeliveryToItsEvents_andCountsIt() async throws {
        let publisher = RecordingPublisher()
        let stats = LiveBroadcastStats()
        let deliveries = Telemetry.positions([("a", 1), ("b", 1), ("a", 2)]).enumerated().map { index, entry in
            EventDelivery(position: LivePosition(entry.position), events: index == 1 ? ["e1", "e2"] : ["e1"])
        }
        _ = try await PipelineTest.collect(deliveries) { FanOut(publisher: publisher, stats: stats) }
        let published = publisher.published.read { $0 }
        #expect(published.map(\.position) == deliveries.map(\.position))
        #expect(published.map(\.events) == deliveries.map(\.events))
        #expect(stats.positionsBroadcast == 3)
    }
}
