import Foundation
import Stages
import Testing

/// The real `flowrun` binary, as an operator runs it.
extension Integration {
    @Suite struct ProcessTests {
        /// SIGKILL mid-run loses nothing; the restarted instance finds its pending entries; SIGTERM exits 0.
        @Test func killedWithSIGKILL_andRestarted_storesEverythingExactlyOnce() async throws {
            try await TestWorld.run { world in
                let config = try world.writeConfigurationFile()
                var options = TrackSimulator.Options()
                options.devices = 50
                options.duplicates = 0.02
                options.outOfOrder = 0.02
                options.seed = 51
                var all = try await world.appendSimulated(options, count: 30_000)
                let first = try FlowrunProcess(configuration: config)
                try await world.eventually("flowrun stores some rows") { try await world.rowCount() > 500 }
                first.kill(SIGKILL)
                #expect(await first.waitForExit() == 128 + SIGKILL)
                let rowsAtKill = try await world.rowCount()
                #expect(
                    rowsAtKill < distinctPositions(all),
                    "the kill must come mid-run for this test to mean anything"
                )
                options.seed = 52
                all += try await world.appendSimulated(options, count: 2_000)
                let second = try FlowrunProcess(configuration: config)
                let unique = distinctPositions(all)
                try await world.waitUntilStoredAndAcknowledged(rows: unique)
                second.kill(SIGTERM)
                let status = await second.waitForExit()
                #expect(status == 0, "SIGTERM drains and exits 0; output:\n\(second.output)")
                #expect(try await world.rowCount() == unique)
            }
        }

        @Test func badConfiguration_isRefusedWithItsLineAndKey() async throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-bad-\(UUID()).yaml")
            try "pipelines:\n  durable-write:\n    batch:\n      max: five\n".write(
                to: file,
                atomically: true,
                encoding: .utf8
            )
            defer { try? FileManager.default.removeItem(at: file) }
            let process = try FlowrunProcess(arguments: ["check", file.path])
            #expect(await process.waitForExit() != 0)
            #expect(process.output.contains("\(file.lastPathComponent):4:"), "names the line: \(process.output)")
            #expect(process.output.contains("pipelines.durable-write.batch.max"), "names the key: \(process.output)")
        }
    }
}
