import BenchmarkSupport
import BrowserSupport
import CMSStub
import Foundation
import Logging
import Stages

/// durable-write at season scale (`--prefill ROWS`): for each shape of `positions`, in a database of its own,
/// the drain and PostgreSQL's COPY into the empty table, then into the table filled with ROWS rows of
/// earlier races (``SeasonFill``), then into the empty table again (the machine's speed drifts: the empty
/// table's rates are the mean of both), and the snapshot and replay reads (``ScaleReads``) with the newest
/// race alone stored and with all ROWS; then the figures side by side.
///
/// COPY's ceiling is measured into `positions` itself, with whatever it holds, inside a transaction that is
/// rolled back (then `VACUUM` removes what it left), once before flowrun's drain and once after it (after
/// flowrun's rows are deleted): the same table, indexes and chunks that flowrun writes into, not a twin
/// that would have to be filled the same way.
struct PrefillScenario {
    enum Shape: String, CaseIterable {
        case plain, hypertable

        var title: String {
            switch self {
            case .plain: "plain table"
            case .hypertable: "hypertable"
            }
        }
    }

    /// One drain and its two COPYs.
    struct Phase {
        var copyBefore: Double
        var copyAfter: Double
        var drain: DrainMeasurement

        /// Rows per second, to the mean of the two COPY timings.
        var copyRate: Double { Double(self.drain.rows) / ((self.copyBefore + self.copyAfter) / 2) }

        var rates: Rates {
            Rates(startRate: self.drain.startRate, steadyRate: self.drain.steadyRate, copyRate: self.copyRate)
        }
    }

    /// A phase's rates, rows per second: durable-write's from process start and from the first row stored,
    /// and COPY's.
    struct Rates {
        var startRate: Double
        var steadyRate: Double
        var copyRate: Double

        /// The mean of each rate of `phases`.
        static func mean(_ phases: [Phase]) -> Rates {
            let count = Double(max(phases.count, 1))
            return Rates(
                startRate: phases.map(\.drain.startRate).reduce(0, +) / count,
                steadyRate: phases.map(\.drain.steadyRate).reduce(0, +) / count,
                copyRate: phases.map(\.copyRate).reduce(0, +) / count
            )
        }
    }

    /// What one shape measured.
    struct ShapeFigures {
        var shape: Shape
        var storage: String
        /// Into the empty table before the fill, and again after the filled table's measurement (emptied by
        /// `TRUNCATE`): the machine's speed drifts within a run, on a shared machine by several times.
        var emptyBefore: Phase
        var emptyAfter: Phase
        var prefilled: Phase
        /// The mean of the two empty tables' rates.
        var empty: Rates { .mean([self.emptyBefore, self.emptyAfter]) }
        /// The reads with race 0 alone stored, and with every row.
        var raceAlone: ScaleReads
        var atScale: ScaleReads
        var raceAloneRows: Int
        var storedRows: Int
        var compressed: CompressedFigures?
    }

    struct CompressedFigures {
        var before: PositionsChunks
        var after: PositionsChunks
        var seconds: Double
        var reads: ScaleReads
    }

    let environment: BenchmarkEnvironment
    let settings: FlowrunSettings
    let entries: BenchmarkEntries
    let rows: Int
    let compress: Bool

    func run(shapes: [Shape]) async throws {
        print(
            "durable-write-benchmark --prefill: \(grouped(Double(self.rows))) rows of earlier races first; drains of "
                + "\(grouped(Double(self.entries.entries.count))) entries (\(grouped(Double(self.entries.rows))) distinct positions)"
        )
        print(self.settings.description)
        print(
            "the season: one race a day before the drained positions' day, each 3 hours of "
                + "\(grouped(Double(SeasonFill.devicesPerRace))) devices (of a fleet of \(grouped(Double(SeasonFill.fleet)))) "
                + "reporting every \(SeasonFill.fixInterval) s (\(grouped(Double(SeasonFill.rowsPerRace))) rows a race)"
        )
        var figures: [ShapeFigures] = []
        for shape in shapes {
            print("\n== positions as a \(shape.title)")
            flushOutput()
            if let measured = try await self.measure(shape) { figures.append(measured) }
        }
        print("")
        print(PrefillReport(figures: figures, rows: self.rows).text)
    }

    /// The shape's figures; nil when the server cannot give this shape (a hypertable without TimescaleDB).
    private func measure(_ shape: Shape) async throws -> ShapeFigures? {
        let suffix = "\(getpid())_\(shape.rawValue)"
        let database = "flowrun_prefill_\(suffix)"
        let stream = "bench:prefill:\(suffix)"
        let admin = PostgresConnection(url: self.environment.postgresURL, name: "bench-admin")
        try await admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        try await AbandonedDatabases.drop(on: admin)
        try await admin.execute("CREATE DATABASE \(database)")
        let databaseURL = try self.environment.url(ofDatabase: database)
        let postgres = PostgresConnection(url: databaseURL, name: "bench")
        let redis = try RedisConnection(url: self.environment.redisURL, name: "bench")
        func drop() async throws {
            await postgres.close()
            try await admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
            try await redis.send(["DEL", RedisArgument(stream)])
        }
        do {
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            _ = try await Migrator(
                directory: self.environment.migrations,
                connection: postgres,
                logger: logger,
                settings: shape == .plain ? ["flowrun.timescaledb": "off"] : [:]
            ).run()
            let storage = try await PositionsStorage.inspect(postgres)
            if shape == .hypertable, case .plain(let reason) = storage {
                print("skipped: positions cannot be a hypertable here (\(reason))")
                try await drop()
                return nil
            }
            let storageText =
                switch storage {
                case .hypertable(let interval): "a TimescaleDB hypertable (chunks of \(interval))"
                case .plain: "a plain table"
                }
            print("positions: \(storageText)")
            try await SeasonFill.createRegistry(postgres, schema: CMSStub.registrySchema)
            let figures = try await self.measure(
                shape,
                storage: storageText,
                postgres: postgres,
                redis: redis,
                database: database,
                databaseURL: databaseURL,
                stream: stream
            )
            try await drop()
            return figures
        } catch {
            try? await drop()
            throw error
        }
    }

    private func measure(
        _ shape: Shape,
        storage: String,
        postgres: PostgresConnection,
        redis: RedisConnection,
        database: String,
        databaseURL: String,
        stream: String
    ) async throws -> ShapeFigures {
        let httpPort = try await freePort()
        let launch = try FlowrunLaunch(
            binary: self.environment.flowrunBinary,
            migrations: self.environment.migrations,
            redisURL: self.environment.redisURL,
            postgresURL: databaseURL,
            pipelines: self.settings.pipelines(stream: stream),
            name: shape.rawValue,
            httpPort: httpPort
        )
        defer { launch.remove() }
        let drains = PrefillDrain(
            entries: self.entries,
            launch: launch,
            httpPort: httpPort,
            postgres: postgres,
            redis: redis,
            stream: stream,
            database: database
        )

        print("-- into the empty table")
        flushOutput()
        let emptyBefore = try await drains.measure()
        try await postgres.execute("TRUNCATE positions")

        let season = SeasonFill(rows: self.rows, before: self.entries.start)
        var raceAlone = ScaleReads()
        var raceAloneRows = 0
        let stored = try await season.fill(postgres) {
            try await Self.vacuumAnalyze(postgres)
            raceAloneRows = try await Self.count(postgres)
            raceAlone = try await ScaleReads.measure(postgres, season: season)
            print("reads with race 0 alone stored (\(grouped(Double(raceAloneRows))) rows):")
            print(raceAlone.report)
        }
        try await Self.vacuumAnalyze(postgres)
        let atScale = try await ScaleReads.measure(postgres, season: season)
        print("reads with \(grouped(Double(stored))) rows stored:")
        print(atScale.report)

        print("-- into the table holding \(grouped(Double(stored))) rows")
        flushOutput()
        let prefilled = try await drains.measure()

        var compressed: CompressedFigures?
        if self.compress, shape == .hypertable {
            compressed = try await Self.compressSeason(postgres, season: season)
        }
        try await postgres.execute("TRUNCATE positions")
        print("-- into the empty table again (TRUNCATE)")
        flushOutput()
        let emptyAfter = try await drains.measure()
        return ShapeFigures(
            shape: shape,
            storage: storage,
            emptyBefore: emptyBefore,
            emptyAfter: emptyAfter,
            prefilled: prefilled,
            raceAlone: raceAlone,
            atScale: atScale,
            raceAloneRows: raceAloneRows,
            storedRows: stored,
            compressed: compressed
        )
    }

    /// What autovacuum does to a table of earlier races (visibility map, statistics), timed.
    static func vacuumAnalyze(_ postgres: PostgresConnection) async throws {
        let start = ContinuousClock.now
        try await postgres.execute("VACUUM ANALYZE positions")
        print(String(format: "VACUUM ANALYZE positions: %.1f s", start.duration(to: .now) / .seconds(1)))
    }

    static func count(_ postgres: PostgresConnection) async throws -> Int {
        Int(try await postgres.query("SELECT count(*) FROM positions").rows[0][0] ?? "0") ?? 0
    }

    /// Compresses the season's chunks with flowrun's compression settings (``PositionsLifecycle``: segments
    /// by device, ordered by `ts`; its policy set to an age none of them has, so that it compresses nothing
    /// itself), prints the sizes before and after, and times the reads again.
    static func compressSeason(_ postgres: PostgresConnection, season: SeasonFill) async throws -> CompressedFigures {
        _ = try await PositionsLifecycle.apply(.init(compressAfter: "100 years"), postgres)
        let before = try await PositionsChunks.read(postgres)
        let start = ContinuousClock.now
        try await postgres.query(
            """
            SELECT count(compress_chunk(c))
            FROM show_chunks('positions', older_than => 'epoch'::timestamptz + $1::bigint * interval '1 microsecond') AS c
            """,
            ["\(season.dayAfter)"]
        )
        let seconds = start.duration(to: .now) / .seconds(1)
        try await postgres.execute("ANALYZE positions")
        let after = try await PositionsChunks.read(postgres)
        let reads = try await ScaleReads.measure(postgres, season: season)
        print(
            String(
                format: "compressed %d chunks in %.1f s: %.1f MB → %.1f MB (%.1f%%)",
                after.compressedChunks,
                seconds,
                Double(after.uncompressedBefore(before)) / 1e6,
                Double(after.compressedBytes) / 1e6,
                100 * Double(after.compressedBytes) / Double(max(after.uncompressedBefore(before), 1))
            )
        )
        print("reads from the compressed chunks:")
        print(reads.report)
        return CompressedFigures(before: before, after: after, seconds: seconds, reads: reads)
    }
}

extension PositionsChunks {
    /// The bytes the chunks compressed since `before` took uncompressed.
    func uncompressedBefore(_ before: PositionsChunks) -> Int64 {
        before.uncompressedBytes - self.uncompressedBytes
    }
}
