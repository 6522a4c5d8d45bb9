import Foundation
import Stages
import Testing

/// race-timing in the real `flowrun` binary: SIGKILLed mid-race and restarted, it leaves the table the
/// positions define, the crossings stream replays to it, and `flowrun timing recompute` finds nothing to change.
extension Integration {
    @Suite struct RaceTimingProcessTests {
        @Test func killedWithSIGKILLMidRace_andRestarted_leavesTheTableThePositionsDefine() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let event = try await registry.addEvent()
                for (seq, kind, east) in [(1, Checkpoint.Kind.start, 0.0), (2, .split, 100), (3, .finish, 200)] {
                    try await registry.addCheckpoint(event: event, RaceTimingTests.gate(seq, kind, atEast: east))
                }
                // 20 devices, each an entry, each driving the course 0.5 s after the one before.
                let t0 = RaceTimingTests.anHourAgo
                var expected: [String: String] = [:]
                var drives: [[(deviceID: String, payload: String)]] = []
                for index in 0..<20 {
                    let device = "35630704\(2_441_100 + index)"
                    let entry = try await registry.addEntry(event: event, devices: [device])
                    let start = t0 + Int64(index) * 500_000
                    drives.append(RaceTimingTests.drive(from: start, device: device))
                    for (seq, seconds) in [(1, 1.5), (2, 11.5), (3, 21.5)] {
                        let ts = Timestamp.format(start + Int64(seconds * 1_000_000), precision: .milliseconds)
                        expected["\(entry)/\(seq)"] = "\(device) \(ts)"
                    }
                }
                // Second by second, all devices: the race as it arrives.
                let race = (0..<24).flatMap { second in drives.map { $0[second] } }
                let config = try world.writeConfigurationFile(raceTiming: true)
                try await world.append(Array(race[..<300]))
                let first = try FlowrunProcess(configuration: config)
                try await world.eventually("some crossings counted") { try await world.crossings().count >= 20 }
                // The rebuild reads what durable-write stored, so the kill comes once durable-write has stored
                // what race-timing read: race-timing acknowledges a position once its crossings are written, not
                // once durable-write has stored it, and a rebuild that misses positions race-timing had already
                // acknowledged removes their crossings (seen in CI: every crossing lost; README "race-timing"
                // says so, and `flowrun timing recompute` repairs it). That gap is open, not tested here.
                try await world.eventually("durable-write stored what was appended") {
                    let rows = try await world.rowCount()
                    let pending = try await world.pendingCount()
                    return rows == 300 && pending == 0
                }
                first.kill(SIGKILL)
                #expect(await first.waitForExit() == 128 + SIGKILL)
                #expect(try await world.crossings().count < expected.count, "killed mid-race")
                try await world.append(Array(race[300...]))
                let second = try FlowrunProcess(configuration: config)
                do {
                    try await world.waitUntilTimed("every crossing counted and every entry acknowledged", to: expected)
                    try await world.waitUntilStoredAndAcknowledged(rows: race.count)
                } catch {
                    second.kill(SIGKILL)
                    let found = (try? await world.crossings()) ?? [:]
                    let differing = expected.filter { found[$0.key] != $0.value }.map {
                        "\($0.key): \($0.value) ≠ \(found[$0.key] ?? "none")"
                    }
                    let timingPending = (try? await world.timingPendingCount()) ?? -1
                    let writePending = (try? await world.pendingCount()) ?? -1
                    Issue.record(
                        "crossings differing: \(differing.sorted()); pending: race-timing \(timingPending), durable-write \(writePending)"
                    )
                    Issue.record(
                        "the killed instance's output:\n\(first.output)\nthe restarted one's:\n\(second.output)"
                    )
                    throw error
                }
                second.kill(SIGTERM)
                #expect(await second.waitForExit() == 0, "output:\n\(second.output)")
                #expect(try await world.crossings() == expected)
                #expect(try await world.replayedCrossings() == expected, "replaying the stream gives the table")
                // The table is what recompute gives from the positions and the course alone.
                let recompute = try FlowrunProcess(arguments: [
                    "timing", "recompute", "--event", event, "--dry-run", config,
                ])
                #expect(await recompute.waitForExit() == 0, "output:\n\(recompute.output)")
                #expect(
                    recompute.output.contains("event \(event): nothing changed (\(race.count) positions judged)\n"),
                    "output:\n\(recompute.output)"
                )
            }
        }
    }
}
