import Foundation
import Stages
import Testing

/// The real `flowrun` binary, as an operator runs it.
extension Integration {
    @Suite struct ProcessTests {
        /// SIGKILL mid-run loses nothing and acknowledged nothing unstored; the restarted instance (same consumer
        /// name, claiming effectively off: `claim_idle` 1 h) recovers the entries the killed one had read by
        /// reading its own pending entries first; SIGTERM exits 0.
        @Test func killedWithSIGKILL_andRestarted_storesEverythingExactlyOnce() async throws {
            try await TestWorld.run { world in
                let config = try world.writeConfigurationFile(claimIdle: "1h")
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
                #expect(try await world.pendingCount() > 0, "the killed instance had entries in flight")
                let unstored = try await world.acknowledgedButUnstored()
                #expect(unstored.isEmpty, "acknowledged, not stored: \(unstored.prefix(5).map(\.id))")
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

        /// SIGTERM while positions keep arriving faster than flowrun stores them, with entries in flight: flowrun
        /// drains and exits 0, and the entries its group acknowledged are exactly the stored positions (CONTRACT
        /// §2) — every acknowledged entry stored, every stored position acknowledged — while what it had not read
        /// yet waits in the stream.
        @Test func sigtermUnderLoad_exits0_andTheAcknowledgedEntriesAreExactlyTheStoredPositions() async throws {
            try await TestWorld.run { world in
                let flowrun = try FlowrunProcess(configuration: try world.writeConfigurationFile())
                var options = TrackSimulator.Options()
                options.devices = 100
                options.duplicates = 0.02
                options.outOfOrder = 0.02
                options.seed = 81
                // The ingestion service: appends a tick of every device after the other, until cancelled.
                let feeder = Task { [options] in
                    var simulator = TrackSimulator(options: options)
                    var appended = 0
                    while !Task.isCancelled {
                        let tick = simulator.nextTick()
                        guard (try? await world.append(tick.map { ($0.deviceID, $0.payload) })) != nil else { break }
                        appended += tick.count
                    }
                    return appended
                }
                do {
                    try await world.eventually("flowrun stores under load, with entries in flight") {
                        let rows = try await world.rowCount()
                        let pending = try await world.pendingCount()
                        return rows > 5_000 && pending > 0
                    }
                } catch {
                    feeder.cancel()
                    throw error
                }
                flowrun.kill(SIGTERM)
                let status = await flowrun.waitForExit()
                feeder.cancel()
                let appended = await feeder.value
                #expect(status == 0, "SIGTERM drains and exits 0; output:\n\(flowrun.output)")

                let last = try #require(try await world.lastDeliveredID())
                let delivered = try await world.streamEntries(upTo: last)
                #expect(delivered.count < appended, "SIGTERM came while entries were still arriving")
                #expect(try await world.pendingIDs().isEmpty, "the drain acknowledged everything it read")
                let acknowledged = Set(try await world.acknowledgedEntries().compactMap { PositionKey(of: $0) })
                let stored = try await world.storedKeys()
                #expect(!stored.isEmpty)
                let unstored = acknowledged.subtracting(stored)
                let unacknowledged = stored.subtracting(acknowledged)
                #expect(unstored.isEmpty, "acknowledged, not stored: \(unstored.prefix(5))")
                #expect(unacknowledged.isEmpty, "stored, not acknowledged: \(unacknowledged.prefix(5))")
            }
        }

        /// PostgreSQL stopped, so the drain cannot store what is in flight: past `shutdown.drain_timeout` flowrun
        /// exits non-zero with a line saying how many entries it abandoned (they stay pending), and nothing it
        /// acknowledged is unstored.
        @Test func drainPastItsDeadline_exitsNonZero_sayingWhatItAbandoned_andAcknowledgedNothingUnstored()
            async throws
        {
            try await TestWorld.run { world in
                let flowrun = try FlowrunProcess(configuration: try world.writeConfigurationFile(drainTimeout: "1s"))
                try await world.withPostgresStoppedAndEntriesInFlight(seed: 61) {
                    flowrun.kill(SIGTERM)
                    let status = await flowrun.waitForExit()
                    #expect(status != 0 && status < 128, "an error exit, not a kill: \(status)\n\(flowrun.output)")
                }
                let pending = try await world.pendingCount()
                #expect(pending > 0)
                let line = flowrun.output.split(separator: "\n").first { $0.contains("did not drain within 1") }
                let said = try #require(line, "no line about the drain deadline in:\n\(flowrun.output)")
                #expect(said.contains("\(pending) entries read but not yet stored stay pending"), "\(said)")
                #expect(said.contains("delivered again at the next start"), "\(said)")
                #expect(said.contains("nothing unstored was acknowledged"), "\(said)")
                let acknowledged = try await world.acknowledgedEntries()
                #expect(acknowledged.count >= 500, "the 500 stored before PostgreSQL stopped are acknowledged")
                let unstored = try await world.acknowledgedButUnstored()
                #expect(unstored.isEmpty, "acknowledged, not stored: \(unstored.prefix(5).map(\.id))")
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

        @Test func check_printsEveryStage_andConnectsToNothing() async throws {
            let redis = try SilentListener()
            let postgres = try SilentListener()
            defer {
                redis.close()
                postgres.close()
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-check-\(UUID()).yaml")
            try """
            redis: {url: "redis://127.0.0.1:\(redis.port)"}
            postgres: {url: "postgresql://flowrun@127.0.0.1:\(postgres.port)/flowrun"}
            pipelines: {durable-write: {}, live-broadcast: {port: 0}}
            """.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = try FlowrunProcess(arguments: ["check", file.path])
            #expect(await process.waitForExit() == 0, "output:\n\(process.output)")
            for stage in [
                "stream-source", "decode/dead-letter/dead-letter", "device-state", "flag-faults", "write-positions",
                "acknowledge", "live-stream-source", "drop-faulty", "drop-stale", "event-lookup", "fan-out",
            ] {
                #expect(process.output.contains(". \(stage)\n"), "lists \(stage): \(process.output)")
            }
            // live-broadcast's second Flow pipeline, which sends the crossings.
            #expect(
                process.output.contains(
                    "  and beside it, live-broadcast-timing:\n  1. live-stream-source\n  2. decode-crossing\n"
                ),
                "lists live-broadcast-timing's stages: \(process.output)"
            )
            #expect(redis.acceptPending() == 0, "check connected to Redis")
            #expect(postgres.acceptPending() == 0, "check connected to PostgreSQL")
        }
    }
}
