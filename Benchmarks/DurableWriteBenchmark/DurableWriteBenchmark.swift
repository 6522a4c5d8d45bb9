// durable-write-benchmark: flowrun draining a pre-loaded stream into PostgreSQL, beside PostgreSQL's own
// COPY of the same rows into an empty table, measured in the same run.
//
// With --prefill, the same at season scale: into the empty table and into one holding millions of rows of
// earlier races, beside the snapshot and replay reads at that size (PrefillScenario).
//
//   scripts/benchmark.sh [--entries N]       (starts the local servers, builds release, runs this)
import BenchmarkSupport
import BrowserSupport
import Foundation
import Logging
import Stages

func runBenchmark() async throws {
    var entryCount = 200_000
    // nil: flowrun's own default (pipelines.yaml documents them).
    var settings = FlowrunSettings()
    var prefill: Int?
    var shapes = PrefillScenario.Shape.allCases
    var compress = false
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
        case "--writers": settings.writers = try count(after: flag)
        case "--batch": settings.batch = try count(after: flag)
        case "--read-count": settings.readCount = try count(after: flag)
        case "--prefill":
            // The number is optional: the next argument when it is one.
            prefill = arguments.first.flatMap(Int.init) == nil ? 20_000_000 : try count(after: flag)
        case "--shape":
            guard let shape = arguments.first.flatMap(PrefillScenario.Shape.init(rawValue:)) else {
                throw BenchmarkFailure("--shape needs plain or hypertable")
            }
            arguments.removeFirst()
            shapes = [shape]
        case "--compress": compress = true
        case "--slow-writes": slowWrites = .milliseconds(try count(after: flag))
        case "--duration": slowDuration = .seconds(try count(after: flag))
        case "-h", "--help":
            print(
                """
                USAGE: durable-write-benchmark [--entries N] [--writers W] [--batch B] [--read-count R]
                       durable-write-benchmark --slow-writes MS [--duration S] [--entries N]
                       durable-write-benchmark --prefill [ROWS] [--shape plain|hypertable] [--compress] [--entries N] …

                The first drains N pre-loaded entries (default 200,000) and compares the rate with PostgreSQL's
                own COPY of the same rows, timed before and after flowrun runs (the ratio is to their mean).
                The second makes every INSERT take MS longer and samples flowrun's memory every second for S
                seconds (default 20) while the entries wait in the stream.
                The third (--prefill) measures at season scale, for a plain positions table and for a hypertable
                (--shape: only one), each in a database of its own: the drain and COPY into the empty table, then
                the same into the table filled first with ROWS rows (default 20,000,000) of earlier races,
                generated inside PostgreSQL, then into the empty table again (its rates: the mean of both);
                COPY goes into positions itself, in a transaction rolled back. It
                also times the snapshot of an event of 1,000 devices and one device's 3-hour race replay, with
                that race alone stored and with all ROWS, and prints each figure beside the empty table's.
                --compress then compresses the hypertable's filled chunks, prints their size against the
                uncompressed size, and times the reads again.
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
    if let prefill {
        try await PrefillScenario(
            environment: environment,
            settings: settings,
            entries: BenchmarkEntries(count: entryCount),
            rows: prefill,
            compress: compress
        ).run(shapes: shapes)
        return
    }
    let (redisURL, postgresURL) = (environment.redisURL, environment.postgresURL)
    let (flowrun, migrations) = (environment.flowrunBinary, environment.migrations)

    // A database and a stream of this run's own.
    let suffix = "\(getpid())"
    let database = "flowrun_bench_\(suffix)"
    let stream = "bench:\(suffix)"
    let admin = PostgresConnection(url: postgresURL, name: "bench-admin")
    try await admin.execute("DROP DATABASE IF EXISTS \(database)")
    try await AbandonedDatabases.drop(on: admin)
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

    // The entries, and the same rows as COPY text.
    let bench = BenchmarkEntries(count: entryCount)
    let (entries, rows) = (bench.entries, bench.rows)
    let redis = try RedisConnection(url: redisURL, name: "bench")
    try await bench.load(redis, stream: stream)
    print(
        "durable-write-benchmark: \(grouped(Double(entries.count))) entries (\(grouped(Double(entries.count - rows))) duplicates), \(grouped(Double(rows))) distinct positions"
    )

    print(settings.description)
    print("positions, and COPY's table beside it: \(tableKind)")

    // flowrun, the real binary, as both scenarios run it.
    let httpPort = try await freePort()
    let launch = try FlowrunLaunch(
        binary: flowrun,
        migrations: migrations,
        redisURL: redisURL,
        postgresURL: databaseURL,
        pipelines: settings.pipelines(stream: stream),
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
    let copyData = bench.copyData
    // PostgreSQL's CPU over both COPYs (the postmaster and its backends), beside what it spends on flowrun's.
    let postmasterPID = try await DrainMeasurement.postmasterPID(postgres)
    var copyCPU = 0.0
    func copySeconds() async throws -> Double {
        try await postgres.execute("TRUNCATE positions_copy")
        let cpuStart = postmasterPID.map { ProcessStatus.cpuSeconds(ofTree: $0) } ?? 0
        defer { copyCPU += (postmasterPID.map { ProcessStatus.cpuSeconds(ofTree: $0) } ?? 0) - cpuStart }
        let copyStart = ContinuousClock.now
        let copied = try await postgres.copyIn(
            "COPY positions_copy (\(BenchmarkEntries.copyColumns)) FROM STDIN",
            data: copyData
        )
        guard copied == rows else { throw BenchmarkFailure("COPY stored \(copied) rows, expected \(rows)") }
        return copyStart.duration(to: .now) / .seconds(1)
    }
    let copyBefore = try await copySeconds()

    // flowrun draining the stream.
    let drain = try await DrainMeasurement.run(
        launch: launch,
        httpPort: httpPort,
        postgres: postgres,
        redis: redis,
        stream: stream,
        database: database,
        rows: rows,
        firstRow: { try await postgres.query("SELECT EXISTS (SELECT 1 FROM positions)").rows[0][0] == "t" },
        storedRows: { Int(try await postgres.query("SELECT count(*) FROM positions").rows[0][0] ?? "0") ?? 0 }
    )

    // What autovacuum would otherwise do to flowrun's new rows during the second COPY.
    try await postgres.execute("VACUUM ANALYZE positions")
    let copyAfter = try await copySeconds()
    let copyRate = Double(rows) / ((copyBefore + copyAfter) / 2)
    print(
        "PostgreSQL COPY into an empty twin      \(grouped(copyRate).padding(toLength: 10, withPad: " ", startingAt: 0)) rows/s  (\(String(format: "%.2f", copyBefore)) s before flowrun, \(String(format: "%.2f", copyAfter)) s after: their mean)"
    )
    print(drain.report(copyRate: copyRate))
    print(
        String(
            format: "PostgreSQL's CPU per row in its own COPY (text): %.2f µs (mean of the two)",
            copyCPU / 2 / Double(rows) * 1e6
        )
    )

    try await dropDatabaseAndStream()
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
