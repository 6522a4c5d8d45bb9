// durable-write-benchmark: flowrun draining a pre-loaded stream into PostgreSQL, beside PostgreSQL's own
// COPY of the same rows into an empty table, measured in the same run.
//
//   scripts/benchmark.sh [--entries N]       (starts the local servers, builds release, runs this)
import BenchmarkSupport
import BrowserSupport
import Foundation
import Logging
import Stages

/// One COPY text-format field.
func copyField(_ text: String?) -> String {
    guard let text else { return "\\N" }
    var escaped = ""
    for character in text {
        switch character {
        case "\\": escaped += "\\\\"
        case "\t": escaped += "\\t"
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        default: escaped.append(character)
        }
    }
    return escaped
}

func runBenchmark() async throws {
    var entryCount = 200_000
    // nil: flowrun's own default (pipelines.yaml documents them).
    var writers: Int?
    var batch: Int?
    var readCount: Int?
    var slowWrites: Duration?
    var slowDuration: Duration = .seconds(20)
    var arguments = Array(CommandLine.arguments.dropFirst())
    /// The value after `flag`: a whole number > 0.
    func count(after flag: String) throws -> Int {
        guard let value = arguments.first.flatMap(Int.init), value > 0 else {
            throw BenchmarkFailure("\(flag) needs a whole number > 0")
        }
        arguments.removeFirst()
        return value
    }
    while let flag = arguments.first {
        arguments.removeFirst()
        switch flag {
        case "--entries": entryCount = try count(after: flag)
        case "--writers": writers = try count(after: flag)
        case "--batch": batch = try count(after: flag)
        case "--read-count": readCount = try count(after: flag)
        case "--slow-writes": slowWrites = .milliseconds(try count(after: flag))
        case "--duration": slowDuration = .seconds(try count(after: flag))
        case "-h", "--help":
            print(
                """
                USAGE: durable-write-benchmark [--entries N] [--writers W] [--batch B] [--read-count R]
                       durable-write-benchmark --slow-writes MS [--duration S] [--entries N]

                The first drains N pre-loaded entries (default 200,000) and compares the rate with PostgreSQL's
                own COPY of the same rows, timed before and after flowrun runs (the ratio is to their mean).
                The second makes every INSERT take MS longer and samples flowrun's memory every second for S
                seconds (default 20) while the entries wait in the stream.
                flowrun runs with its own defaults (pipelines.yaml) except for --writers (writers), --batch
                (batch.max) and --read-count (read_count).
                REDIS_URL, POSTGRES_URL, FLOWRUN_BINARY and FLOWRUN_MIGRATIONS come from the environment
                (scripts/benchmark.sh sets them).
                """
            )
            return
        default:
            throw BenchmarkFailure("unknown option \(flag)")
        }
    }
    let environment = try BenchmarkEnvironment(ProcessInfo.processInfo.environment, script: "scripts/benchmark.sh")
    let (redisURL, postgresURL) = (environment.redisURL, environment.postgresURL)
    let (flowrun, migrations) = (environment.flowrunBinary, environment.migrations)

    // A database and a stream of this run's own.
    let suffix = "\(getpid())"
    let database = "flowrun_bench_\(suffix)"
    let stream = "bench:\(suffix)"
    let admin = PostgresConnection(url: postgresURL, name: "bench-admin")
    try await admin.execute("DROP DATABASE IF EXISTS \(database)")
    try await admin.execute("CREATE DATABASE \(database)")
    let databaseURL = try environment.url(ofDatabase: database)
    let postgres = PostgresConnection(url: databaseURL, name: "bench")
    _ = try await Migrator(directory: migrations, connection: postgres, logger: Logger(label: "bench")).run()
    try await postgres.execute("CREATE TABLE positions_copy (LIKE positions INCLUDING ALL)")
    // COPY's table has positions' shape: a hypertable with the same chunk interval when positions is one
    // (LIKE copies the columns and indexes, not that).
    var chunkInterval: String?
    let extensions = try await postgres.query("SELECT extname FROM pg_extension").rows.compactMap { $0[0] }
    if extensions.contains("timescaledb") {
        chunkInterval =
            try await postgres.query(
                """
                SELECT time_interval::text FROM timescaledb_information.dimensions
                WHERE hypertable_name = 'positions' AND column_name = 'ts'
                """
            ).rows.first?[0] ?? nil
    }
    if let chunkInterval {
        _ = try await postgres.query(
            "SELECT create_hypertable('positions_copy', 'ts', chunk_time_interval => $1::interval)",
            [chunkInterval]
        )
    }
    let tableKind = chunkInterval.map { "a TimescaleDB hypertable (chunks of \($0))" } ?? "a plain table"

    // The entries: 2% duplicates, 1% of positions followed by an offline burst (out of order).
    var options = TrackSimulator.Options()
    options.devices = 500
    options.duplicates = 0.02
    options.outOfOrder = 0.01
    var simulator = TrackSimulator(options: options)
    var entries: [TrackSimulator.Entry] = []
    while entries.count < entryCount { entries += simulator.nextTick() }
    entries = Array(entries.prefix(entryCount))
    let redis = try RedisConnection(url: redisURL, name: "bench")
    try await redis.send(["DEL", RedisArgument(stream)])
    let appender = StreamAppender(redis: redis, stream: stream)
    var start = 0
    while start < entries.count {
        try await appender.append(Array(entries[start..<min(start + 1000, entries.count)]))
        start += 1000
    }

    // The same rows, decoded and deduplicated by identity, as COPY text.
    var seen: Set<String> = []
    var copyText = ""
    for entry in entries {
        guard case .success(let p) = PositionDecoder.decode(entry.streamEntry()),
            seen.insert("\(p.deviceID)|\(p.timestamp)").inserted
        else { continue }
        let fields: [String?] = [
            p.deviceID, Timestamp.format(p.timestamp, precision: .microseconds), p.latitude.description,
            p.longitude.description,
            p.altitude?.description, p.angle?.description, p.speed?.description, p.satellites.map(String.init),
            p.priority.map(String.init), p.attributesJSON,
        ]
        copyText += fields.map(copyField).joined(separator: "\t") + "\n"
    }
    let rows = seen.count
    print(
        "durable-write-benchmark: \(grouped(Double(entries.count))) entries (\(grouped(Double(entries.count - rows))) duplicates), \(grouped(Double(rows))) distinct positions"
    )

    let overrides = [("writers", writers), ("batch.max", batch), ("read_count", readCount)]
        .compactMap { name, value in value.map { "\(name) \($0)" } }
    print("flowrun settings: its defaults" + (overrides.isEmpty ? "" : " except " + overrides.joined(separator: ", ")))
    print("positions, and COPY's table beside it: \(tableKind)")

    // flowrun, the real binary, as both scenarios run it.
    // Only the settings given; the others are flowrun's defaults, as an operator gets them.
    var settings = ""
    if let writers { settings += "\n    writers: \(writers)" }
    if let readCount { settings += "\n    read_count: \(readCount)" }
    if let batch { settings += "\n    batch:\n      max: \(batch)" }
    let httpPort = try await freePort()
    let launch = try FlowrunLaunch(
        binary: flowrun,
        migrations: migrations,
        redisURL: redisURL,
        postgresURL: databaseURL,
        pipelines: """
              durable-write:
                stream: \(stream)
                group: bench\(settings)
            """,
        httpPort: httpPort
    )
    defer { launch.remove() }
    func dropDatabaseAndStream() async throws {
        try await admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        try await redis.send(["DEL", RedisArgument(stream)])
    }

    if let slowWrites {
        try await SlowPostgresScenario(delay: slowWrites, duration: slowDuration, entries: entries.count)
            .run(flowrun: launch, postgres: postgres, redis: redis, stream: stream)
        try await dropDatabaseAndStream()
        return
    }

    // PostgreSQL's own COPY of the same rows into an empty table, in seconds: once before flowrun runs and
    // once after, so that the ceiling is the machine's speed around flowrun's run, not at one moment.
    let copyData = Array(copyText.utf8)
    func copySeconds() async throws -> Double {
        try await postgres.execute("TRUNCATE positions_copy")
        let copyStart = ContinuousClock.now
        let copied = try await postgres.copyIn(
            "COPY positions_copy (device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority, attributes) FROM STDIN",
            data: copyData
        )
        guard copied == rows else { throw BenchmarkFailure("COPY stored \(copied) rows, expected \(rows)") }
        return copyStart.duration(to: .now) / .seconds(1)
    }
    let copyBefore = try await copySeconds()

    // flowrun draining the stream.
    // The servers' processes, to tell their CPU apart: Redis's own pid, and the postmaster (with its backends).
    let redisPID = try await redis.send(["INFO", "server"]).string?.split(separator: "\r\n")
        .first { $0.hasPrefix("process_id:") }.flatMap { Int32($0.dropFirst("process_id:".count)) }
    let backendPID = try await postgres.query("SELECT pg_backend_pid()").rows[0][0].flatMap { Int32($0) }
    let postmasterPID = backendPID.flatMap { ProcessStatus.parent(of: $0) }
    func serverCPU() -> (redis: Double, postgres: Double) {
        (
            redisPID.flatMap { ProcessStatus.cpuSeconds(of: $0) } ?? 0,
            postmasterPID.map { ProcessStatus.cpuSeconds(ofTree: $0) } ?? 0
        )
    }
    let machineStart = ProcessStatus.machineBusySeconds()
    let serversStart = serverCPU()
    let child = try launch.start()
    // Where the pipeline waits: its stages' busy time and queues, from flowrun's /metrics.
    let utilisation = StageUtilisation(port: httpPort, pipeline: "durable-write")
    let sampling = Task { await utilisation.sampleQueues() }
    // The first row by an index probe; the end by the group's counters in Redis. The row count is checked
    // once, at the end.
    let drain: FlowrunProcess.Drain
    let stages: String
    do {
        drain = try await child.untilDrained(redis: redis, stream: stream, group: "bench") {
            try await postgres.query("SELECT EXISTS (SELECT 1 FROM positions)").rows[0][0] == "t"
        }
        sampling.cancel()
        stages = try await utilisation.report(wallSeconds: drain.seconds)
    } catch {
        sampling.cancel()
        await child.stop()
        throw error
    }
    let machineBusy = ProcessStatus.machineBusySeconds() - machineStart
    let serversEnd = serverCPU()
    await child.stop()
    let rolledBack = try await rolledBackTransactions(postgres, database: database)
    let totalSeconds = drain.seconds
    let steadySeconds = drain.steadySeconds ?? drain.seconds
    let (peakKiB, flowrunCPU) = (drain.peakResidentKiB, drain.cpuSeconds)
    let stored = Int(try await postgres.query("SELECT count(*) FROM positions").rows[0][0] ?? "0") ?? 0
    guard stored == rows else { throw BenchmarkFailure("flowrun stored \(stored) rows, expected \(rows)") }

    // What autovacuum would otherwise do to flowrun's new rows during the second COPY.
    try await postgres.execute("VACUUM ANALYZE positions")
    let copyAfter = try await copySeconds()
    let copyRate = Double(rows) / ((copyBefore + copyAfter) / 2)
    let steadyRate = Double(rows) / steadySeconds
    print(
        "PostgreSQL COPY into an empty twin      \(grouped(copyRate).padding(toLength: 10, withPad: " ", startingAt: 0)) rows/s  (\(String(format: "%.2f", copyBefore)) s before flowrun, \(String(format: "%.2f", copyAfter)) s after: their mean)"
    )
    print(
        "flowrun durable-write, steady state     \(grouped(steadyRate).padding(toLength: 10, withPad: " ", startingAt: 0)) rows/s  (\(String(format: "%.2f", steadySeconds)) s from the first row stored)"
    )
    print(
        "flowrun durable-write, process start on \(grouped(Double(rows) / totalSeconds).padding(toLength: 10, withPad: " ", startingAt: 0)) rows/s  (\(String(format: "%.2f", totalSeconds)) s)"
    )
    print(
        String(
            format: "ratio flowrun / COPY: %.2f× (steady state), %.2f× (from process start)",
            steadyRate / copyRate,
            (Double(rows) / totalSeconds) / copyRate
        )
    )
    print(
        "flowrun write transactions rolled back: \(rolledBack.map(String.init) ?? "unknown") (each a batch whose COPY met a stored row, written again by INSERT … ON CONFLICT)"
    )
    print("flowrun peak RSS: \(String(format: "%.1f", Double(peakKiB) / 1024)) MB (VmHWM)")
    print(stages)
    let perRow = { (seconds: Double) in seconds / Double(rows) * 1e6 }
    print(
        String(
            format:
                "CPU per stored row: flowrun %.1f µs, PostgreSQL %.1f µs, Redis %.1f µs; whole machine %.1f µs"
                + " (also this benchmark and whatever else runs)",
            perRow(flowrunCPU),
            perRow(serversEnd.postgres - serversStart.postgres),
            perRow(serversEnd.redis - serversStart.redis),
            perRow(machineBusy)
        )
    )

    try await dropDatabaseAndStream()
}

/// The transactions rolled back in `database`, once flowrun's connections are gone (a backend reports its
/// counts when it exits); nil if they do not go within 5 s.
func rolledBackTransactions(_ postgres: PostgresConnection, database: String) async throws -> Int? {
    for _ in 0..<500 {
        let row = try await postgres.query(
            "SELECT numbackends, xact_rollback FROM pg_stat_database WHERE datname = '\(database)'"
        ).rows.first
        try await postgres.execute("SELECT pg_stat_clear_snapshot()")
        // Only this benchmark's own connection left.
        if let row, row[0] == "1" { return row[1].flatMap { Int($0) } }
        try await Task.sleep(for: .milliseconds(10))
    }
    return nil
}

@main
enum DurableWriteBenchmark {
    static func main() async {
        do {
            try await runBenchmark()
        } catch {
            FileHandle.standardError.write(Data("durable-write-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }
}
