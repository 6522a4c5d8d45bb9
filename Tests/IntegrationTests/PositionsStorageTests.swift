import Foundation
import Logging
import Stages
import Testing

extension Integration {
    /// Migration 0006 on the servers of `scripts/services.sh`: TimescaleDB preloaded there (the rest of the
    /// integration suite runs on the hypertable), and a second server without the preload.
    @Suite("positions storage")
    struct PositionsStorageTests {
        static let migrations = Servers.repository.appendingPathComponent("Migrations").path

        @Test("the services' database has positions as a hypertable on ts with the default 1-day chunks")
        func defaultHypertable() async throws {
            try await TestWorld.run { world in
                #expect(try await PositionsStorage.inspect(world.postgres) == .hypertable(chunkInterval: "1 day"))
                let rows = try await world.postgres.query(
                    """
                    SELECT d.column_name, d.time_interval = INTERVAL '1 day'
                    FROM timescaledb_information.hypertables h
                    JOIN timescaledb_information.dimensions d USING (hypertable_schema, hypertable_name)
                    WHERE h.hypertable_name = 'positions'
                    """
                ).rows
                #expect(rows == [["ts", "t"]])
            }
        }

        @Test("the migrations make CONTRACT §2's positions: each column's type, nullability and default, the key")
        func schemaIsTheContracts() async throws {
            try await TestWorld.run { world in
                #expect(try await AdoptionTests.columns(world.postgres) == AdoptionTests.contractColumns)
                let key = try await world.postgres.query(
                    """
                    SELECT k.column_name::text, k.ordinal_position::text
                    FROM information_schema.table_constraints c
                    JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
                    WHERE c.table_schema = current_schema() AND c.table_name = 'positions'
                      AND c.constraint_type = 'PRIMARY KEY'
                    ORDER BY k.ordinal_position
                    """
                ).rows
                #expect(key == [["device_id", "1"], ["ts", "2"]])
            }
        }

        @Test("the configured chunk interval is the hypertable's, and a new one applies at the next start")
        func configuredChunkInterval() async throws {
            try await ScratchDatabase.run(url: try Servers().postgresURL) { connection, _ in
                _ = try await Migrator(
                    directory: Self.migrations,
                    connection: connection,
                    logger: Logger(label: "test"),
                    settings: ["flowrun.chunk_interval": PostgresInterval.text(.seconds(6 * 3600))]
                ).run()
                #expect(try await PositionsStorage.inspect(connection) == .hypertable(chunkInterval: "06:00:00"))
                let changed = try await PositionsStorage.apply(chunkInterval: "2:00:00", connection)
                #expect(changed == .hypertable(chunkInterval: "02:00:00"))
                // Positions written across chunks: a duplicate is still a no-op (the key holds ts).
                let insert = """
                    INSERT INTO positions (device_id, ts, latitude, longitude)
                    SELECT 'd1', TIMESTAMPTZ '2026-05-01 00:00:00+00' + n * INTERVAL '1 hour', 1, 2
                    FROM generate_series(0, 5) AS n
                    ON CONFLICT DO NOTHING
                    """
                #expect(try await connection.query(insert).affected == 6)
                #expect(try await connection.query(insert).affected == 0)
                let chunks = try await connection.query("SELECT count(*) FROM show_chunks('positions')").rows
                #expect(chunks == [["3"]])
            }
        }

        @Test("a database migrated without TimescaleDB keeps the plain table; a later run converts it with its rows")
        func plainThenConverted() async throws {
            let upTo0005 = FileManager.default.temporaryDirectory
                .appendingPathComponent("flowrun-migrations-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: upTo0005, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: upTo0005) }
            for name in try FileManager.default.contentsOfDirectory(atPath: Self.migrations) where name < "0006" {
                try FileManager.default.copyItem(
                    atPath: "\(Self.migrations)/\(name)",
                    toPath: "\(upTo0005)/\(name)"
                )
            }
            try await ScratchDatabase.run(url: try Servers().postgresURL) { connection, _ in
                let logger = Logger(label: "test")
                _ = try await Migrator(
                    directory: Self.migrations,
                    connection: connection,
                    logger: logger,
                    settings: ["flowrun.timescaledb": "off"]
                ).run()
                let off = try await PositionsStorage.inspect(connection)
                #expect(
                    off
                        == .plain(
                            reason: "TimescaleDB was not enabled when the migrations ran (flowrun.timescaledb = off)"
                        )
                )
                #expect(
                    try await connection.query("SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'").rows
                        == [["0"]]
                )
            }
            // A database deployed before 0006: a plain table with rows, converted by 0006 keeping them.
            try await ScratchDatabase.run(url: try Servers().postgresURL) { connection, _ in
                let logger = Logger(label: "test")
                _ = try await Migrator(directory: upTo0005, connection: connection, logger: logger).run()
                try await connection.execute(
                    """
                    INSERT INTO positions (device_id, ts, latitude, longitude)
                    SELECT 'd' || n % 3, TIMESTAMPTZ '2026-05-01 00:00:00+00' + n * INTERVAL '1 minute', 1, 2
                    FROM generate_series(1, 3000) AS n
                    """
                )
                let outcome = try await Migrator(directory: Self.migrations, connection: connection, logger: logger)
                    .run()
                #expect(outcome.applied == ["0006_positions_hypertable.sql"])
                #expect(try await PositionsStorage.inspect(connection) == .hypertable(chunkInterval: "1 day"))
                #expect(try await connection.query("SELECT count(*) FROM positions").rows == [["3000"]])
                #expect(try await connection.query("SELECT count(*) FROM ONLY positions").rows == [["0"]])
            }
        }

        @Test(
            "0001's earlier texts, applied on deployed databases, are still accepted as applied",
            arguments: [
                "6c8796f6e6b5001a45bc3edae26d33aef8a041097c71d2f8e3ec72e01614c81c",  // with CREATE EXTENSION
                "0d3cb68619297e830f4d19706b3cecb809675a4688f8d92a5d41e1555a575e2f",  // before adoption
            ]
        )
        func formerTextOf0001(checksum: String) async throws {
            try await ScratchDatabase.run(url: try Servers().postgresURL) { connection, _ in
                let logger = Logger(label: "test")
                _ = try await Migrator(directory: Self.migrations, connection: connection, logger: logger).run()
                try await connection.query(
                    "UPDATE flowrun_migrations SET checksum = $1 WHERE name = '0001_positions.sql'",
                    [checksum]
                )
                let again = try await Migrator(directory: Self.migrations, connection: connection, logger: logger).run()
                #expect(again.applied.isEmpty)
                #expect(again.alreadyApplied.count == 6)
            }
        }

        @Test("a server with TimescaleDB installed but not preloaded: the plain table, a reason, and flowrun runs")
        func installedButNotPreloaded() async throws {
            let server = try await UnpreloadedServer.start()
            do {
                try await ScratchDatabase.run(url: server.url) { connection, url in
                    let outcome = try await Migrator(
                        directory: Self.migrations,
                        connection: connection,
                        logger: Logger(label: "test")
                    ).run()
                    #expect(outcome.applied.count == 6)
                    let storage = try await PositionsStorage.inspect(connection)
                    guard case .plain(let reason) = storage else {
                        Issue.record("expected the plain table, got \(storage)")
                        return
                    }
                    #expect(reason.hasPrefix("TimescaleDB is installed but not preloaded"))
                    #expect(reason.contains("shared_preload_libraries"))
                    #expect(try await PositionsStorage.apply(chunkInterval: "2:00:00", connection) == storage)
                    // What 0006 avoided: creating the extension here ends the session.
                    let probe = PostgresConnection(url: url, name: "test-probe")
                    await #expect(throws: PostgresError.self) {
                        try await probe.execute("CREATE EXTENSION timescaledb")
                    }
                    await probe.close()
                    #expect(try await connection.query("SELECT 1").rows == [["1"]])
                }
            } catch {
                try await server.stop()
                throw error
            }
            try await server.stop()
        }
    }
}
