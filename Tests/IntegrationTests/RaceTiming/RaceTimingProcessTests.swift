import Foundation
import Stages
import Testing

/// race-timing in the real `flowrun` binary: SIGKILLed mid-race, before durable-write stored any of what it had
/// timed, and restarted, it waits for durable-write before rebuilding, then leaves the table the positions
/// define, the crossings stream replays to it, and `flowrun timing recompute` finds nothing to change.
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
                // race-timing alone first: nothing stores the stream, so its first rebuild waits for nothing.
                let timingOnly = try world.writeConfigurationFile(durableWrite: false, raceTiming: true)
                try await world.append(Array(race[..<300]))
                let first = try FlowrunProcess(configuration: timingOnly)
                try await world.eventually("some crossings counted and their entries acknowledged") {
                    guard let info = try await world.groupInfo("race-timing"),
                        let read = info.entriesRead, let pending = info.pending
                    else { return false }
                    return try await world.crossings().count >= 20 && read - pending >= 200
                }
                // durable-write's group appears, behind: race-timing acknowledged positions nothing has stored.
                _ = try await world.redis.send([
                    "XGROUP", "CREATE", RedisArgument(world.stream), RedisArgument(world.group), "0",
                ])
                first.kill(SIGKILL)
                #expect(await first.waitForExit() == 128 + SIGKILL)
                let counted = try await world.crossings()
                #expect(counted.count < expected.count, "killed mid-race")
                #expect(try await world.rowCount() == 0, "nothing stored when killed")
                try await world.append(Array(race[300...]))
                // Restarted, race-timing must not rebuild the event from a `positions` that lacks what it had
                // acknowledged (that removed every crossing, seen in CI): it waits for durable-write's group.
                let second = try FlowrunProcess(configuration: timingOnly)
                try await world.eventually("race-timing waits for durable-write before rebuilding") {
                    second.output.contains("waiting for durable-write to store what race-timing has read")
                }
                #expect(try await world.crossings() == counted, "nothing removed while the rebuild waits")
                // durable-write on another instance catches up; the rebuild then finds every position.
                let storing = try FlowrunProcess(configuration: try world.writeConfigurationFile())
                do {
                    try await world.waitUntilTimed("every crossing counted and every entry acknowledged", to: expected)
                    try await world.waitUntilStoredAndAcknowledged(rows: race.count)
                } catch {
                    second.kill(SIGKILL)
                    storing.kill(SIGKILL)
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
                #expect(second.output.contains("durable-write has stored what race-timing read; rebuilding the event"))
                storing.kill(SIGTERM)
                #expect(await storing.waitForExit() == 0, "output:\n\(storing.output)")
                second.kill(SIGTERM)
                #expect(await second.waitForExit() == 0, "output:\n\(second.output)")
                #expect(try await world.crossings() == expected)
                #expect(try await world.replayedCrossings() == expected, "replaying the stream gives the table")
                // The table is what recompute gives from the positions and the course alone.
                let recompute = try FlowrunProcess(arguments: [
                    "timing", "recompute", "--event", event, "--dry-run", timingOnly,
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
