import Flow
import FlowTesting
import Stages
import Testing

/// ``DeviceState``: `isNewest` against everything seen or stored before, one look-up per chunk for the devices not
/// held, retried with backoff, and a `lastSeen` that never moves back.
@Suite(.timeLimit(.minutes(1)))
struct DeviceStateTests {
    @Test func withoutHistory_aPositionIsNewestOnlyWhenLaterThanEverythingItsDeviceHadBefore() async throws {
        let input = Telemetry.positions([("a", 100), ("a", 200), ("a", 150), ("a", 200), ("b", 50), ("a", 201)])
        let output = try await PipelineTest.collect(input) {
            DeviceState(store: DeviceStateStore(), history: nil)
        }
        #expect(output.map(\.entryID) == input.map(\.entryID), "every position passes, in order")
        #expect(output.map(\.isNewest) == [true, true, false, false, true, true])
    }

    @Test func aDeviceNotHeld_startsAtItsLatestStoredTime_lookedUpOnceForTheChunk() async throws {
        let history = FakeStoredPositionTimes(["a": Telemetry.time(500)])
        let input = Telemetry.positions([("a", 400), ("b", 1), ("a", 500), ("c", 7), ("a", 501), ("b", 2)])
        let output = try await PipelineTest.collect(input) {
            DeviceState(store: DeviceStateStore(), history: history)
        }
        #expect(output.map(\.isNewest) == [false, true, false, true, true, true])
        #expect(history.state.read(\.lookUps) == [["a", "b", "c"]])
    }

    @Test func devicesHeld_areNotLookedUpAgain_onlyNewOnesOfALaterChunk() async throws {
        let history = FakeStoredPositionTimes(["c": Telemetry.time(10)])
        let newest = try await PipelineTest.run(PositionEntry.self) {
            DeviceState(store: DeviceStateStore(), history: history)
        } test: { run in
            var newest: [Bool] = []
            for chunk in [[("a", 1), ("b", 1)], [("a", 2), ("c", 9), ("b", 0)], [("a", 3), ("c", 11)]] {
                try await run.send(contentsOf: Telemetry.positions(chunk))
                newest += try await next(chunk.count, of: run).map(\.isNewest)
            }
            return newest
        }
        #expect(newest == [true, true, true, false, false, true, true])
        #expect(history.state.read(\.lookUps) == [["a", "b"], ["c"]])
    }

    @Test func failingLookUp_isRetriedWithBackoff_andNothingPassesMeanwhile() async throws {
        let clock = ManualClock()
        let history = FakeStoredPositionTimes(["a": Telemetry.time(500)])
        history.failNext(2)
        let passed = Watched(0)
        let output = try await PipelineTest.run(PositionEntry.self, clock: clock) {
            DeviceState(store: DeviceStateStore(), history: history)
            counting(PositionEntry.self, into: passed)
        } test: { run in
            try await run.send(contentsOf: Telemetry.positions([("a", 400), ("a", 600)]))
            for (attempt, backoff) in [Duration.milliseconds(100), .milliseconds(200)].enumerated() {
                try await clock.waitForSleepers(1)
                #expect(history.state.read(\.lookUps).count == attempt + 1)
                #expect(passed.read { $0 } == 0)
                clock.advance(by: backoff - .milliseconds(1))
                #expect(clock.sleeperCount == 1, "backoff \(backoff)")
                clock.advance(by: .milliseconds(1))
            }
            return try await next(2, of: run)
        }
        #expect(output.map(\.isNewest) == [false, true], "started at the stored 500 once the look-up worked")
        #expect(history.state.read(\.lookUps).count == 3)
    }

    @Test func lastSeen_neverMovesBack_forAReplayNorForAPositionOlderThanWhatIsStored() async throws {
        let store = DeviceStateStore()
        let history = FakeStoredPositionTimes(["b": Telemetry.time(500)])
        let input = Telemetry.positions([("a", 300), ("a", 100), ("b", 400), ("a", 300), ("a", 200)])
        _ = try await PipelineTest.collect(input) { DeviceState(store: store, history: history) }
        #expect(store.state(of: "a")?.lastSeen == Telemetry.time(300))
        #expect(store.state(of: "b")?.lastSeen == Telemetry.time(500))
    }
}
