import Foundation
import Stages
import Testing

/// SIGHUP on the real binary: pipelines switched off and on without a restart; a broken file refused.
extension Integration {
    @Suite struct ReloadTests {
        @Test func sighupTurnsAPipelineOffAndOnAndABrokenFileKeepsTheRunningConfiguration() async throws {
            try await TestWorld.run { world in
                let file = URL(fileURLWithPath: try world.writeConfigurationFile())
                defer { try? FileManager.default.removeItem(at: file) }
                func write(durableWrite enabled: Bool) throws {
                    try world.writeConfigurationFile(durableWrite: enabled)
                }
                var options = TrackSimulator.Options()
                options.devices = 10
                var simulator = TrackSimulator(options: options)
                func appendTick() async throws -> Int {
                    let entries = simulator.nextTick()
                    try await world.append(entries.map { ($0.deviceID, $0.payload) })
                    return entries.count
                }

                try write(durableWrite: true)
                let flowrun = try FlowrunProcess(configuration: file.path)
                var appended = try await appendTick()
                try await world.waitUntilStoredAndAcknowledged(rows: appended)

                // Off: it drains and stops; what is appended now waits in the stream.
                try write(durableWrite: false)
                flowrun.kill(SIGHUP)
                try await world.eventually("durable-write stopped") {
                    flowrun.output.contains("pipeline stopped")
                }
                let storedWhileOff = try await world.rowCount()
                let deliveredWhileOff = try await world.lastDeliveredID()
                appended += try await appendTick()

                // A broken file is refused; the running configuration (off) is kept.
                try "pipelines:\n  durable-write:\n    batch: {max: five}\n".write(
                    to: file,
                    atomically: true,
                    encoding: .utf8
                )
                flowrun.kill(SIGHUP)
                try await world.eventually("the broken file is refused") {
                    flowrun.output.contains("configuration refused")
                }
                #expect(flowrun.output.contains("pipelines.durable-write.batch.max"), "names the key")
                // Checked after a later event (the refusal, which follows the tick): the tick waits unread.
                #expect(try await world.rowCount() == storedWhileOff, "nothing stored while the pipeline is off")
                #expect(
                    try await world.lastDeliveredID() == deliveredWhileOff,
                    "nothing read while the pipeline is off"
                )

                // On again: it catches up with what waited.
                try write(durableWrite: true)
                flowrun.kill(SIGHUP)
                try await world.waitUntilStoredAndAcknowledged(rows: appended)

                flowrun.kill(SIGTERM)
                #expect(await flowrun.waitForExit() == 0, "output:\n\(flowrun.output)")
            }
        }
    }
}
