import Flow
import FlowTesting
import MetricsTestKit
import Stages
import Testing

/// ``FlagFaults`` (both pipelines' `flag-faults`) and ``DropFaulty`` (live-broadcast's `drop-faulty`), run with
/// FlowTesting and a fixed clock.
@Suite(.timeLimit(.minutes(1)))
struct FlagFaultsTests {
    /// The processor's clock in these tests: an hour after ``Telemetry/baseTime``.
    static let now: Int64 = Telemetry.time(3599)

    /// Entry `id`'s position of `device`, `second` s after ``Telemetry/baseTime``, `north` degrees of latitude
    /// north of (54, 25).
    static func entry(
        _ id: UInt64,
        _ second: Int,
        north: Double = 0,
        satellites: Int? = nil,
        of device: String = "a"
    ) -> PositionEntry {
        PositionEntry(
            entryID: Telemetry.id(id),
            position: Position(
                deviceID: device,
                timestamp: Telemetry.time(second),
                latitude: 54 + north,
                longitude: 25,
                satellites: satellites
            )
        )
    }

    static func flagFaults(_ judge: FaultJudge = FaultJudge()) -> FlagFaults {
        FlagFaults(judge: judge, now: { Self.now })
    }

    @Test func everyPositionPassesWithItsJudgement_noneIsDropped() async throws {
        let input = [
            Self.entry(1, 0),
            Self.entry(2, 1, satellites: 2),
            Self.entry(3, 2, north: 1),
            Self.entry(4, 3, north: 0.0005),
        ]
        let output = try await PipelineTest.collect(input) { Self.flagFaults() }
        #expect(output.map(\.entryID) == input.map(\.entryID))
        #expect(output.map(\.fault) == [nil, .fewSatellites, .jump, nil])
        #expect(output.map(\.position) == input.map(\.position))
    }

    @Test func aPositionArrivingOutOfTsOrder_isJudgedAgainstTheFixBeforeItInTsOrder() async throws {
        let input = [
            Self.entry(1, 100),
            Self.entry(2, 110, north: 0.005),  // 556 m in 10 s: 200 km/h
            Self.entry(3, 101, north: 0.001),  // 111 m in 1 s from the fix at 100 s: 400 km/h
            Self.entry(4, 102, north: 0.0005),  // 55.6 m in 2 s from the fix at 100 s: 100 km/h
        ]
        let output = try await PipelineTest.collect(input) { Self.flagFaults() }
        #expect(output.map(\.fault) == [nil, nil, .jump, nil])
    }

    @Test func future_isJudgedByTheInjectedClock() async throws {
        let input = [Self.entry(1, 3599), Self.entry(2, 3599 - 300), Self.entry(3, 0)]
        let judge = FaultJudge()
        let output = try await PipelineTest.collect(input) {
            FlagFaults(judge: judge, now: { Telemetry.time(3599 - 301) })
        }
        #expect(output.map(\.fault) == [.future, nil, nil])
    }

    @Test func faultyPositionsAreCountedPerReason() async throws {
        let metrics = TestMetrics()
        let input = [
            Self.entry(1, 0),
            Self.entry(2, 1, satellites: 1),
            Self.entry(3, 2, satellites: 3),
            Self.entry(4, 3, north: 1),
            Self.entry(5, 4),
        ]
        _ = try await PipelineTest.collect(input, configuration: PipelineTest.configuration(metrics: metrics)) {
            Self.flagFaults()
        }
        let counts = try Fault.allCases.map { fault in
            try metrics.expectCounter(
                "flowrun_positions_faulty_total",
                [("pipeline", "test"), ("reason", fault.rawValue)]
            ).totalValue
        }
        #expect(counts == [2, 0, 0, 1])
    }

    @Test func evictedDevicesAreCounted() async throws {
        let metrics = TestMetrics()
        let input = [Self.entry(1, 0, of: "a"), Self.entry(2, 0, of: "b"), Self.entry(3, 0, of: "c")]
        _ = try await PipelineTest.collect(input, configuration: PipelineTest.configuration(metrics: metrics)) {
            Self.flagFaults(FaultJudge(capacity: 1))
        }
        let evictions = try metrics.expectCounter("flowrun_fault_judge_evictions_total", [("pipeline", "test")])
        #expect(evictions.totalValue == 2)
    }

    @Test func dropFaulty_dropsFaultyPositions_andCountsThem() async throws {
        let metrics = TestMetrics()
        var input = [Self.entry(1, 0), Self.entry(2, 1), Self.entry(3, 2)]
        input[1].fault = .nullIsland
        let kept = try await PipelineTest.collect(input, configuration: PipelineTest.configuration(metrics: metrics)) {
            DropFaulty()
        }
        #expect(kept.map(\.entryID) == [1, 3].map(Telemetry.id))
        let dropped = try metrics.expectCounter("flowrun_live_faulty_dropped_total", [("pipeline", "test")])
        #expect(dropped.totalValue == 1)
    }

    @Test func composedAsInLiveBroadcast_aFaultyFixNeverHidesALaterGoodOne() async throws {
        let input = [
            Self.entry(1, 0),
            Self.entry(2, 3000, satellites: 1),  // faulty, far ahead of the good ones
            Self.entry(3, 1, north: 0.0005),
            Self.entry(4, 2, north: 1),  // a jump
            Self.entry(5, 3, north: 0.001),
        ]
        let sent = try await PipelineTest.collect(input) {
            Self.flagFaults()
            DropFaulty()
            DropStale()
        }
        #expect(sent.map(\.entryID) == [1, 3, 5].map(Telemetry.id))
    }
}
