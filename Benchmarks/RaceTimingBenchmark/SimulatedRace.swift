import BenchmarkSupport
import Foundation
import Logging
import Stages

/// One simulated race of the demo course, in a database and streams of its own: pre-loaded, then drained by
/// race-timing (nothing stored yet), durable-write, and race-timing again (everything stored), each alone.
struct SimulatedRace {
    let options: TimingBenchmarkOptions
    let environment: BenchmarkEnvironment
    /// σ of the GPS noise, metres.
    let noise: Double
    /// Names this race's database, streams and files apart.
    let name: String

    var database: String { "flowrun_timingbench_\(self.name)" }
    var stream: String { "timingbench:\(self.name)" }
    /// race-timing's crossings stream in `phase`.
    func crossingsStream(_ phase: String) -> String { "\(self.stream):crossings-\(phase)" }
    var truthPath: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("timingbench-\(self.name)-truth.jsonl").path
    }

    func run(redis: RedisConnection) async throws -> RaceMeasurement {
        let admin = PostgresConnection(url: self.environment.postgresURL, name: "timingbench-admin")
        try await admin.execute("DROP DATABASE IF EXISTS \(self.database) WITH (FORCE)")
        try await AbandonedDatabases.drop(on: admin)
        try await admin.execute("CREATE DATABASE \(self.database)")
        let databaseURL = try self.environment.url(ofDatabase: self.database)
        let postgres = PostgresConnection(url: databaseURL, name: "timingbench")
        let streams = [self.stream] + ["cold", "warm"].map(self.crossingsStream)
        defer { try? FileManager.default.removeItem(atPath: self.truthPath) }
        do {
            let measurement = try await self.measure(postgres: postgres, url: databaseURL, redis: redis)
            try await self.drop(admin: admin, postgres: postgres, redis: redis, streams: streams)
            return measurement
        } catch {
            try? await self.drop(admin: admin, postgres: postgres, redis: redis, streams: streams)
            throw error
        }
    }

    private func drop(
        admin: PostgresConnection,
        postgres: PostgresConnection,
        redis: RedisConnection,
        streams: [String]
    ) async throws {
        await postgres.close()
        try await admin.execute("DROP DATABASE IF EXISTS \(self.database) WITH (FORCE)")
        await admin.close()
        for stream in streams { _ = try await redis.send(["DEL", RedisArgument(stream)]) }
    }

    private func measure(
        postgres: PostgresConnection,
        url: String,
        redis: RedisConnection
    ) async throws -> RaceMeasurement {
        // The database: flowrun's migrations, then the CMS's registry with the demo race's course and entries.
        let durableWrite = try self.launch(
            url,
            "durable-write",
            "  durable-write:\n    stream: \(self.stream)\n    group: durable-write"
        )
        defer { durableWrite.remove() }
        try await durableWrite.migrate()
        let script = try String(contentsOfFile: self.environment.others["FLOWRUN_REGISTRY_SQL"] ?? "", encoding: .utf8)
        // psql's `-v devices=N`, substituted here.
        try await postgres.execute(script.replacingOccurrences(of: ":devices", with: "\(self.options.devices)"))
        guard let event = try await PostgresTimedEvents(connection: postgres).timedEvents().events[DemoCourse.event]
        else { throw BenchmarkFailure("the demo race is not timed after scripts/demo-registry.sql") }

        // The race, pre-loaded in the stream, with the truth.
        let devices = self.options.devices + 1
        let simulate = try FlowrunProcess(
            binary: self.environment.flowrunBinary,
            arguments: [
                "simulate", "--course", "demo", "--devices", "\(self.options.devices)", "--pace", "rate",
                "--rate", "0", "--count", "\(devices * self.options.seconds)", "--noise-m", "\(self.noise)",
                "--faulty", "\(self.options.faulty)", "--offline", "\(self.options.offline)",
                "--truth", self.truthPath, "--stream", self.stream, "--redis-url", self.environment.redisURL,
                "--quiet",
            ]
        )
        try await simulate.waitForExit(doing: "pre-loading the race")
        let entries = try await redis.send(["XLEN", RedisArgument(self.stream)]).integer.map(Int.init) ?? 0
        let truth = try TruthCheck.read(path: self.truthPath, entries: event.entries)

        let store = PostgresTimingStore(connection: postgres)
        func timing(_ phase: String) async throws -> ([CrossingRecord], FlowrunProcess.Drain, Int) {
            let crossings = self.crossingsStream(phase)
            let launch = try self.launch(
                url,
                "timing-\(phase)",
                "  race-timing:\n    stream: \(self.stream)\n    group: race-timing-\(phase)\n"
                    + "    crossings_stream: \(crossings)"
            )
            defer { launch.remove() }
            let drain = try await self.drain(launch, redis: redis, group: "race-timing-\(phase)")
            let rows = try await store.storedCrossings(of: DemoCourse.event)
            let changes = try await redis.send(["XLEN", RedisArgument(crossings)]).integer.map(Int.init) ?? 0
            return (rows, drain, changes)
        }
        // race-timing before anything is stored: its rebuild finds no positions. Its table is then emptied.
        let cold = try await timing("cold")
        try await postgres.execute("TRUNCATE crossings")
        let written = try await self.drain(durableWrite, redis: redis, group: "durable-write")
        let stored = Int(try await postgres.query("SELECT count(*) FROM positions").rows[0][0] ?? "0") ?? 0
        // race-timing after durable-write: its rebuild reads every stored position of the event's devices at
        // the event's first position, and every entry of the stream is then a position it holds already.
        let warm = try await timing("warm")

        let definition = try await DefinitionCheck.rows(of: event, store: store)
        func judged(_ phase: ([CrossingRecord], FlowrunProcess.Drain, Int)) -> RaceMeasurement.TimingDrain {
            RaceMeasurement.TimingDrain(
                drain: phase.1,
                changes: phase.2,
                rows: phase.0.count,
                truth: TruthCheck(rows: phase.0, truth: truth.byKey, truths: truth.lines),
                differences: DefinitionCheck.differences(phase.0, definition: definition)
            )
        }
        return RaceMeasurement(
            noise: self.noise,
            entries: entries,
            stored: stored,
            durableWrite: written,
            timingCold: judged(cold),
            timingWarm: judged(warm)
        )
    }

    /// flowrun with one pipeline, `section` (its YAML, indented under `pipelines:`).
    private func launch(_ url: String, _ name: String, _ section: String) throws -> FlowrunLaunch {
        try FlowrunLaunch(
            binary: self.environment.flowrunBinary,
            migrations: self.environment.migrations,
            redisURL: self.environment.redisURL,
            postgresURL: url,
            pipelines: section,
            name: "\(self.name)-\(name)"
        )
    }

    /// Runs `launch` until `group` has acknowledged every entry of the stream, then stops it.
    private func drain(
        _ launch: FlowrunLaunch,
        redis: RedisConnection,
        group: String
    ) async throws
        -> FlowrunProcess.Drain
    {
        let child = try launch.start()
        do {
            let drain = try await child.untilDrained(redis: redis, stream: self.stream, group: group)
            await child.stop()
            return drain
        } catch {
            await child.stop()
            throw error
        }
    }
}
