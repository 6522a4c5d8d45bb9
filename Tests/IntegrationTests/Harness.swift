// The browser harness, the child processes and HarnessError live in BrowserSupport (shared with the map
// benchmark); exported here so that every file of the integration tests sees them as before they moved.
@_exported import BrowserSupport
import Flow
import Foundation
import Logging
import Pipelines
import Stages
import Testing

/// The real servers the integration tests run against: started by `scripts/services.sh start`, which
/// `scripts/test.sh` runs first and whose URLs it exports.
struct Servers {
    let redisURL: String
    let postgresURL: String
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let redis = environment["REDIS_URL"], let postgres = environment["POSTGRES_URL"] else {
            throw HarnessError(
                "REDIS_URL and POSTGRES_URL are not set: run the tests with scripts/test.sh, or start the servers"
                    + " with `eval \"$(scripts/services.sh start >/dev/null; scripts/services.sh env)\"` first"
            )
        }
        self.redisURL = redis
        self.postgresURL = postgres
    }

    /// Runs `scripts/services.sh <command>` (e.g. `stop-postgres`), failing the test if it fails.
    static func services(_ command: String) async throws {
        let script = repository.appendingPathComponent("scripts/services.sh").path
        let status = try await ChildProcess("/bin/bash", [script, command]).exitStatus()
        if status != 0 { throw HarnessError("scripts/services.sh \(command) failed with status \(status)") }
    }
}

/// All integration tests run one at a time: some stop and start the shared servers.
@Suite(.serialized, .timeLimit(.minutes(5)))
enum Integration {}

/// One test's world: its own database (migrated), stream and group, on the shared servers.
final class TestWorld: Sendable {
    let servers: Servers
    let database: String
    let databaseURL: String
    let stream: String
    let group = "processor"
    let redis: RedisConnection
    let postgres: PostgresConnection

    /// - Parameters:
    ///   - fixture: an SQL script run in the new database before flowrun's migrations (another program's schema).
    ///   - logger: the migrations' logger.
    init(fixture: String? = nil, logger: Logger = Logger(label: "test")) async throws {
        let servers = try Servers()
        self.servers = servers
        let suffix = UUID().uuidString.prefix(8).lowercased()
        self.database = "flowrun_test_\(suffix)"
        self.stream = "test:\(suffix)"
        let admin = PostgresConnection(url: servers.postgresURL, name: "test-admin")
        try await admin.execute("CREATE DATABASE \(self.database)")
        await admin.close()
        var components = URLComponents(string: servers.postgresURL)!
        components.path = "/\(self.database)"
        self.databaseURL = components.string!
        self.redis = try RedisConnection(url: servers.redisURL, name: "test-redis")
        self.postgres = PostgresConnection(url: self.databaseURL, name: "test-postgres")
        if let fixture { try await self.postgres.execute(fixture) }
        let migrations = Servers.repository.appendingPathComponent("Migrations").path
        _ = try await Migrator(directory: migrations, connection: self.postgres, logger: logger).run()
    }

    /// Runs `body` in a new world, then tears the world down, also when `body` throws.
    static func run(
        fixture: String? = nil,
        logger: Logger = Logger(label: "test"),
        _ body: (TestWorld) async throws -> Void
    ) async throws {
        let world = try await TestWorld(fixture: fixture, logger: logger)
        do {
            try await body(world)
        } catch {
            await world.tearDown()
            throw error
        }
        await world.tearDown()
    }

    /// Drops the database and the streams (best effort: a failed test still cleans up what it can).
    func tearDown() async {
        _ = try? await self.redis.send(["DEL", RedisArgument(self.stream), RedisArgument(self.stream + ":dead")])
        await self.redis.close()
        await self.postgres.close()
        let admin = PostgresConnection(url: self.servers.postgresURL, name: "test-admin")
        _ = try? await admin.execute("DROP DATABASE IF EXISTS \(self.database) WITH (FORCE)")
        await admin.close()
    }

    /// flowrun's configuration for this world: durable-write on, short timings for tests.
    func configuration(instance: String = "test-1") -> FlowrunConfiguration {
        var configuration = FlowrunConfiguration()
        configuration.instance = instance
        configuration.redis.url = URL(string: self.servers.redisURL)!
        configuration.postgres.url = URL(string: self.databaseURL)!
        var durable = FlowrunConfiguration.Pipelines.DurableWrite(enabled: true)
        durable.stream = self.stream
        durable.group = self.group
        durable.block = .milliseconds(100)
        durable.claimIdle = .milliseconds(300)
        durable.batch.max = 100
        durable.batch.within = .milliseconds(10)
        configuration.pipelines.durableWrite = durable
        return configuration
    }

    /// Appends entries with their `device_id` and `payload` fields; returns their ids.
    @discardableResult
    func append(_ entries: [(deviceID: String, payload: String)]) async throws -> [String] {
        let commands: [[RedisArgument]] = entries.map {
            [
                "XADD", RedisArgument(self.stream), "*", "device_id", RedisArgument($0.deviceID), "payload",
                RedisArgument($0.payload),
            ]
        }
        return try await self.redis.send(pipeline: commands).map { reply in
            guard let id = reply.string else { throw HarnessError("XADD failed: \(reply)") }
            return id
        }
    }

    func appendSimulated(_ options: TrackSimulator.Options, count: Int) async throws -> [TrackSimulator.Entry] {
        var simulator = TrackSimulator(options: options)
        var entries: [TrackSimulator.Entry] = []
        while entries.count < count { entries += simulator.nextTick() }
        entries = Array(entries.prefix(count))
        var start = 0
        while start < entries.count {
            let batch = entries[start..<min(start + 500, entries.count)]
            try await self.append(batch.map { ($0.deviceID, $0.payload) })
            start += 500
        }
        return entries
    }

    func rowCount() async throws -> Int {
        Int(try await self.postgres.query("SELECT count(*) FROM positions").rows[0][0]!)!
    }

    /// Entries delivered to the group and not acknowledged.
    func pendingCount() async throws -> Int {
        let reply = try await self.redis.send(["XPENDING", RedisArgument(self.stream), RedisArgument(self.group)])
        return Int(reply.array?.first?.integer ?? 0)
    }

    func deadLetters() async throws -> [[String: String]] {
        let reply = try await self.redis.send(["XRANGE", RedisArgument(self.stream + ":dead"), "-", "+"])
        return (reply.array ?? []).map { item in
            let values = item.array?[1].array ?? []
            var fields: [String: String] = [:]
            for index in stride(from: 0, to: values.count - 1, by: 2) {
                fields[values[index].string ?? ""] = values[index + 1].string ?? ""
            }
            return fields
        }
    }

    /// Waits until `positions` holds exactly `rows` rows and nothing is pending in the group.
    func waitUntilStoredAndAcknowledged(rows expected: Int) async throws {
        try await self.eventually("\(expected) rows stored and every entry acknowledged") {
            let rows = try await self.rowCount()
            let pending = try await self.pendingCount()
            return rows == expected && pending == 0
        }
    }

    /// Polls `condition` until it holds, failing after `limit` (a liveness guard, not a timing assertion).
    /// A probe that throws (a server being restarted) counts as "not yet".
    func eventually(
        _ what: String,
        within limit: Duration = .seconds(90),
        _ condition: () async throws -> Bool
    ) async throws {
        let start = ContinuousClock.now
        var lastError: (any Error)?
        while true {
            do {
                if try await condition() { return }
                lastError = nil
            } catch {
                lastError = error
            }
            if start.duration(to: .now) > limit {
                throw HarnessError("gave up waiting: \(what)" + (lastError.map { " (last error: \($0))" } ?? ""))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// How many distinct positions — by their identity `(device_id, timestamp)` (CONTRACT §1) — the
/// well-formed entries hold: the number of rows they must leave in `positions`.
func distinctPositions(_ entries: [TrackSimulator.Entry]) -> Int {
    var keys: Set<String> = []
    for entry in entries {
        if case .success(let position) = PositionDecoder.decode(entry.streamEntry()) {
            keys.insert("\(position.deviceID)|\(position.timestamp)")
        }
    }
    return keys.count
}

/// The contract's example payload (CONTRACT §1), exactly.
let contractExample = """
    {"device_id":"356307042441013","timestamp":"2026-05-02T16:36:52.123Z","latitude":54.687157,\
    "longitude":25.279652,"altitude":112,"angle":270,"speed":43,"satellites":11,"priority":0,\
    "attributes":{"239":1,"66":12870,"16":{"$bigint":"18446744073709551615"},"385":{"$bytes":"AQIDBA=="}}}
    """
