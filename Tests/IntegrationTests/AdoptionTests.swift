import Foundation
import Logging
import Stages
import Testing

extension Integration {
    /// flowrun's migrations on a database of the TypeScript processor it replaces: 0001 adopts its positions
    /// (Tests/Fixtures/original-processor-schema.sql, and variants of it).
    @Suite("adopting the original processor's database")
    struct AdoptionTests {
        static let fixture = Servers.repository.appendingPathComponent("Tests/Fixtures/original-processor-schema.sql")

        /// The fixture with 6,000 rows over 20 days (3 chunks of 7 days), some faulty, and a copy of them to
        /// compare with after the migrations.
        static func fixtureWithRows(_ changes: String = "") throws -> String {
            try String(contentsOf: Self.fixture, encoding: .utf8) + changes
                + """

                INSERT INTO positions (device_id, ts, latitude, longitude, altitude, satellites, attributes, faulty,
                                       received_at)
                SELECT '3563070424410' || lpad((n % 40)::text, 2, '0'),
                       TIMESTAMPTZ '2026-04-01 00:00:00+00' + n * INTERVAL '288 seconds',
                       54 + n * 1e-5, 25 - n * 1e-5, n % 300, (n % 12)::smallint,
                       jsonb_build_object('66', n, '239', n % 2), n % 97 = 0,
                       TIMESTAMPTZ '2026-04-01 00:00:01+00' + n * INTERVAL '288 seconds'
                FROM generate_series(1, 6000) AS n;
                CREATE TABLE original_rows AS
                    SELECT device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority, attributes,
                           faulty, received_at
                    FROM positions;
                """
        }

        /// CONTRACT §2: each column's name, type, nullability and default, as information_schema shows them.
        static let contractColumns: [[String?]] = [
            ["altitude", "real", "YES", nil],
            ["angle", "real", "YES", nil],
            ["attributes", "jsonb", "NO", "'{}'::jsonb"],
            ["device_id", "text", "NO", nil],
            ["fault", "text", "YES", nil],
            ["faulty", "boolean", "NO", "false"],
            ["latitude", "double precision", "NO", nil],
            ["longitude", "double precision", "NO", nil],
            ["priority", "smallint", "YES", nil],
            ["received_at", "timestamp with time zone", "NO", "now()"],
            ["satellites", "smallint", "YES", nil],
            ["speed", "real", "YES", nil],
            ["ts", "timestamp with time zone", "NO", nil],
        ]

        static func columns(_ connection: PostgresConnection) async throws -> [[String?]] {
            try await connection.query(
                """
                SELECT column_name::text, data_type::text, is_nullable::text, column_default::text
                FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'positions'
                ORDER BY column_name
                """
            ).rows
        }

        static func indexes(_ connection: PostgresConnection) async throws -> [[String?]] {
            try await connection.query(
                """
                SELECT indexname::text, substring(indexdef FROM '\\((.*)\\)$')
                FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'positions' ORDER BY 1
                """
            ).rows
        }

        @Test("the original's positions is adopted: rows kept, CONTRACT §2's schema, each step logged")
        func adoptsTheOriginal() async throws {
            let log = RecordingLogHandler.Log()
            try await TestWorld.run(fixture: try Self.fixtureWithRows(), logger: log.logger()) { world in
                let postgres = world.postgres
                #expect(
                    log.messages.filter { $0.hasPrefix("adopting positions:") } == [
                        "adopting positions: the table exists already (made by another program, such as the "
                            + "TypeScript processor); its rows are kept",
                        "adopting positions: added the primary key (device_id, ts)",
                        "adopting positions: dropped index positions_device_ts_idx (device_id, ts DESC): the primary "
                            + "key's index serves the same lookups, and every insert would update both",
                    ]
                )
                #expect(log.messages.filter { $0 == "migration applied" }.count == 6)
                // Every row kept, unchanged; the new column `fault` NULL in each.
                let kept = try await postgres.query(
                    """
                    SELECT (SELECT count(*) FROM positions),
                           (SELECT count(*) FROM (
                               SELECT device_id COLLATE "default", ts, latitude, longitude, altitude, angle, speed, satellites, priority,
                                      attributes, faulty, received_at FROM positions
                               EXCEPT SELECT * FROM original_rows) AS changed),
                           (SELECT count(*) FROM positions WHERE fault IS NOT NULL),
                           (SELECT count(*) FROM positions WHERE faulty)
                    """
                ).rows
                #expect(kept == [["6000", "0", "0", "61"]])
                #expect(try await Self.columns(postgres) == Self.contractColumns)
                #expect(
                    try await Self.indexes(postgres) == [
                        ["positions_pkey", "device_id, ts"], ["positions_ts_idx", "ts DESC"],
                    ]
                )
                let collation = try await postgres.query(
                    "SELECT collation_name FROM information_schema.columns "
                        + "WHERE table_name = 'positions' AND column_name = 'device_id'"
                ).rows
                #expect(collation == [["C"]])
                #expect(try await PositionsStorage.inspect(postgres) == .hypertable(chunkInterval: "1 day"))
                // The original's migration records are its own.
                #expect(
                    try await postgres.query("SELECT name FROM pgmigrations").rows == [
                        ["1700000000000_create-positions"]
                    ]
                )

                // durable-write writes into it: a position the original stored is a duplicate, a new one a row.
                let stored = """
                    {"device_id":"356307042441001","timestamp":"2026-04-01T00:04:48Z","latitude":54.00001,\
                    "longitude":24.99999,"satellites":1}
                    """
                let running = try RunningDurableWrite(world.configuration())
                try await world.append([("356307042441001", stored), ("356307042441013", contractExample)])
                try await world.waitUntilStoredAndAcknowledged(rows: 6001)
                try await running.stop()
                #expect(running.service.stats.inserted == 1)
                #expect(running.service.stats.duplicates == 1)
                let written = try await postgres.query(
                    "SELECT device_id, faulty, fault FROM positions WHERE ts = '2026-05-02T16:36:52.123Z'"
                ).rows
                #expect(written == [["356307042441013", "f", nil]])
            }
        }

        @Test("a variant: another primary key, a unique constraint, a nullable column, a column and a default missing")
        func adoptsAVariant() async throws {
            let variant = """

                ALTER TABLE positions ADD COLUMN id bigserial;
                DROP INDEX positions_device_ts_idx;
                ALTER TABLE positions ADD PRIMARY KEY (id, ts);
                ALTER TABLE positions ADD CONSTRAINT positions_device_id_ts_key UNIQUE (device_id, ts);
                ALTER TABLE positions ALTER COLUMN latitude DROP NOT NULL;
                ALTER TABLE positions ALTER COLUMN faulty DROP DEFAULT;
                """
            let log = RecordingLogHandler.Log()
            let fixture = try Self.fixtureWithRows(variant) + "\nALTER TABLE positions DROP COLUMN received_at;"
            try await TestWorld.run(fixture: fixture, logger: log.logger()) { world in
                #expect(
                    log.messages.filter { $0.hasPrefix("adopting positions:") }.dropFirst() == [
                        "adopting positions: column latitude made NOT NULL",
                        "adopting positions: column faulty given the default false (it had none)",
                        "adopting positions: added column received_at (timestamp with time zone NOT NULL DEFAULT now())",
                        "adopting positions: dropped the primary key positions_pkey (id, ts): flowrun's is (device_id, ts)",
                        "adopting positions: added the primary key (device_id, ts)",
                        "adopting positions: dropped index positions_device_id_ts_key (device_id, ts): the primary key's "
                            + "index serves the same lookups, and every insert would update both",
                    ]
                )
                // The extra column stays; the rest is CONTRACT §2.
                let columns = try await Self.columns(world.postgres)
                #expect(columns.filter { $0[0] != "id" } == Self.contractColumns)
                #expect(
                    try await Self.indexes(world.postgres) == [
                        ["positions_pkey", "device_id, ts"], ["positions_ts_idx", "ts DESC"],
                    ]
                )
                #expect(try await world.rowCount() == 6000)
                let running = try RunningDurableWrite(world.configuration())
                try await world.append([("356307042441013", contractExample)])
                try await world.waitUntilStoredAndAcknowledged(rows: 6001)
                try await running.stop()
            }
        }

        @Test("a column of another type stops the migrations, naming it; nothing is changed")
        func refusesAnotherType() async throws {
            let fixture =
                try String(contentsOf: Self.fixture, encoding: .utf8)
                + "\nALTER TABLE positions ALTER COLUMN satellites TYPE integer;"
            try await ScratchDatabase.run(url: try Servers().postgresURL) { connection, _ in
                try await connection.execute(fixture)
                let migrations = Servers.repository.appendingPathComponent("Migrations").path
                let error = await #expect(throws: MigrationError.self) {
                    _ = try await Migrator(directory: migrations, connection: connection, logger: Logger(label: "test"))
                        .run()
                }
                #expect(
                    "\(error.map { "\($0)" } ?? "")".contains(
                        "cannot adopt positions: its column satellites is integer, flowrun's is smallint"
                    )
                )
                #expect(
                    try await Self.indexes(connection) == [
                        ["positions_device_ts_idx", "device_id, ts DESC"], ["positions_ts_idx", "ts DESC"],
                    ]
                )
            }
        }
    }
}
