import Flow
import Foundation
import Logging
import Pipelines
import Stages
import Testing

/// durable-write when things break: nothing acknowledged that is not stored, everything stored once.
extension Integration {
    @Suite struct FailureTests {
        /// PostgreSQL stops mid-run: writes fail and are retried, nothing unstored is acknowledged; once it is
        /// back, every position is stored exactly once, without restarting flowrun.
        @Test func postgresStoppedMidRun_nothingAckedUnstored_thenEverythingStoredOnce() async throws {
            try await TestWorld.run { world in
                var options = TrackSimulator.Options()
                options.devices = 30
                options.duplicates = 0.02
                options.seed = 11
                let metrics = RecordingMetrics()
                let running = try RunningDurableWrite(world.configuration(), metrics: metrics)
                // /readyz's checker, as flowrun runs it, beside the pipeline.
                let readiness = try Readiness(
                    redisURL: world.servers.redisURL,
                    postgresURL: world.databaseURL,
                    pipelines: ["durable-write"],
                    configuration: .init(interval: .milliseconds(200), timeout: .seconds(1)),
                    logger: Logger(label: "readiness-test", factory: { _ in SwiftLogNoOpLogHandler() })
                )
                readiness.set(.running, of: "durable-write")
                let checking = Task { try await readiness.run() }
                defer { checking.cancel() }
                let first = try await world.appendSimulated(options, count: 1_000)
                try await world.eventually("the first entries are stored") { try await world.rowCount() > 0 }
                try await world.eventually("ready with both servers up") { readiness.report.isReady }
                try await Servers.services("stop-postgres")
                let second: [TrackSimulator.Entry]
                do {
                    try await world.eventually("not ready, naming PostgreSQL, while it is stopped") {
                        readiness.report.problems.contains { $0.hasPrefix("postgres") }
                    }
                    let failedWrites = {
                        metrics.count(
                            "flowrun_positions_written_total",
                            [("pipeline", "durable-write"), ("result", "failed")]
                        )
                    }
                    let failedBefore = failedWrites()
                    options.seed = 12
                    second = try await world.appendSimulated(options, count: 2_000)
                    // While PostgreSQL is down: whatever is acknowledged was stored before it stopped.
                    let stats = running.service.stats
                    let storedBefore = stats.inserted + stats.duplicates
                    // The check runs once writes have failed since the append (and are being retried).
                    try await world.eventually("writes fail while PostgreSQL is stopped") {
                        failedWrites() > failedBefore
                    }
                    let acknowledged = 3_000 - (try await self.pendingAndUndelivered(world))
                    #expect(acknowledged <= storedBefore, "acknowledged \(acknowledged), stored \(storedBefore)")
                } catch {
                    try? await Servers.services("start-postgres")  // the next tests need it
                    throw error
                }
                try await Servers.services("start-postgres")
                let all = first + second
                let unique = distinctPositions(all)
                try await world.waitUntilStoredAndAcknowledged(rows: unique)
                try await world.eventually("ready again once PostgreSQL is back") { readiness.report.isReady }
                try await running.stop()
                #expect(try await world.rowCount() == unique)
                let failed = metrics.count(
                    "flowrun_positions_written_total",
                    [("pipeline", "durable-write"), ("result", "failed")]
                )
                #expect(failed > 0, "the writes that failed while PostgreSQL was down are counted")
            }
        }

        /// Redis connections killed mid-command and Redis paused: flowrun reconnects by itself, loses nothing.
        @Test func redisKilledAndPaused_reconnects_losesNothing() async throws {
            try await TestWorld.run { world in
                var options = TrackSimulator.Options()
                options.devices = 25
                options.seed = 21
                let running = try RunningDurableWrite(world.configuration())
                var all: [TrackSimulator.Entry] = []
                for round in 0..<4 {
                    options.seed = 21 + UInt64(round)
                    all += try await world.appendSimulated(options, count: 500)
                    let admin = try RedisConnection(url: world.servers.redisURL, name: "test-admin")
                    if round % 2 == 0 {
                        // flowrun's own connections (named flowrun-dw-…), whatever they are doing. A killed one
                        // connects again at its next command (the acknowledger at its next acknowledgement: on a
                        // loaded machine, maybe not yet when the next round comes), so both are waited for.
                        var clients = ""
                        try await world.eventually("flowrun's reader and acknowledger are connected") {
                            clients = try await admin.send(["CLIENT", "LIST"]).string ?? ""
                            return clients.contains("name=flowrun-dw-read ")
                                && clients.contains("name=flowrun-dw-ack ")
                        }
                        let killed = try await self.killClients(named: "flowrun-dw-", in: clients, using: admin)
                        #expect(killed >= 2, "the reader and acknowledger connections should have been found")
                    } else {
                        try await admin.send(["CLIENT", "PAUSE", "1500", "ALL"])
                    }
                    await admin.close()
                }
                let unique = distinctPositions(all)
                try await world.waitUntilStoredAndAcknowledged(rows: unique)
                try await running.stop()
            }
        }

        @Test func twoInstancesInOneGroup_splitTheStream_andStoreEverythingOnce() async throws {
            try await TestWorld.run { world in
                // Claiming is another test's subject: with the harness's 300 ms, an instance would also take
                // over entries the other still has in flight on a loaded machine (stored once all the same,
                // but handled twice), which is what `claim_idle` must be longer than.
                var configurations = ["node-1", "node-2"].map { world.configuration(instance: $0) }
                for index in configurations.indices {
                    configurations[index].pipelines.durableWrite.claimIdle = .seconds(20)
                }
                let one = try RunningDurableWrite(configurations[0])
                let two = try RunningDurableWrite(configurations[1])
                var options = TrackSimulator.Options()
                options.devices = 40
                options.seed = 31
                var all: [TrackSimulator.Entry] = []
                for round in 0..<10 {
                    options.seed = 31 + UInt64(round)
                    all += try await world.appendSimulated(options, count: 400)
                }
                let unique = distinctPositions(all)
                try await world.waitUntilStoredAndAcknowledged(rows: unique)
                try await one.stop()
                try await two.stop()
                let byOne = one.service.stats.inserted + one.service.stats.duplicates
                let byTwo = two.service.stats.inserted + two.service.stats.duplicates
                #expect(byOne + byTwo == all.count, "each entry is handled by one instance")
                #expect(byOne > 0 && byTwo > 0, "both instances take a share (\(byOne) / \(byTwo))")
                #expect(one.service.stats.inserted + two.service.stats.inserted == unique)
            }
        }

        /// A consumer that read entries and died leaves them pending; a live one claims them once idle.
        @Test func deadConsumersPendingEntries_areClaimedByALiveOne() async throws {
            try await TestWorld.run { world in
                var options = TrackSimulator.Options()
                options.devices = 10
                options.seed = 41
                let entries = try await world.appendSimulated(options, count: 300)
                // "ghost" reads everything and dies without acknowledging.
                try await world.redis.send([
                    "XGROUP", "CREATE", RedisArgument(world.stream), RedisArgument(world.group), "0",
                ])
                try await world.redis.send([
                    "XREADGROUP", "GROUP", RedisArgument(world.group), "ghost", "COUNT", "1000", "STREAMS",
                    RedisArgument(world.stream), ">",
                ])
                #expect(try await world.pendingCount() == 300)
                let running = try RunningDurableWrite(world.configuration(instance: "alive"))
                // Only a claim can get them: they were all delivered to "ghost", none is new.
                try await world.waitUntilStoredAndAcknowledged(rows: distinctPositions(entries))
                try await running.stop()
            }
        }

        private func killClients(
            named prefix: String,
            in list: String,
            using admin: RedisConnection
        ) async throws -> Int {
            var killed = 0
            for line in list.split(separator: "\n") {
                let fields = Dictionary(
                    line.split(separator: " ").compactMap { pair -> (String, String)? in
                        let parts = pair.split(separator: "=", maxSplits: 1)
                        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
                    },
                    uniquingKeysWith: { first, _ in first }
                )
                if let id = fields["id"], fields["name"]?.hasPrefix(prefix) == true {
                    try await admin.send(["CLIENT", "KILL", "ID", RedisArgument(id)])
                    killed += 1
                }
            }
            return killed
        }

        /// Entries the group has not acknowledged: pending plus not yet read, from one `XINFO GROUPS` reply.
        /// Two commands would race with the reader, which moves entries from the one count to the other
        /// between them (an entry read in between counted as neither, so as acknowledged).
        private func pendingAndUndelivered(_ world: TestWorld) async throws -> Int {
            let group = try #require(try await world.groupInfo(), "the stream has the group")
            let pending = try #require(group.pending, "XINFO GROUPS gives pending")
            let lag = try #require(group.lag, "XINFO GROUPS gives the lag (nil would mean it is unknown)")
            return Int(pending + lag)
        }
    }
}
