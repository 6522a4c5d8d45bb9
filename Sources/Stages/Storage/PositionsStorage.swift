/// How a database stores `positions` (migration 0006): a TimescaleDB hypertable and its chunk interval, or a
/// plain table and why.
///
/// flowrun logs it at every start (a migration's NOTICEs are logged only by the run that applies it), and
/// sets the configured chunk interval on a hypertable whose interval differs: it applies to the chunks
/// created from then on.
public enum PositionsStorage: Sendable, Equatable {
    /// A hypertable on `ts`; its chunk interval as PostgreSQL prints an interval (`1 day`, `06:00:00`).
    case hypertable(chunkInterval: String)
    /// A plain table; `reason` says why and, where it applies, how to enable TimescaleDB.
    case plain(reason: String)

    /// What `connection`'s database has. Needs no TimescaleDB.
    public static func inspect(_ connection: PostgresConnection) async throws(PostgresError) -> Self {
        let server = try await connection.query(
            """
            SELECT (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'),
                EXISTS (SELECT FROM pg_available_extensions WHERE name = 'timescaledb')::text,
                (current_setting('shared_preload_libraries') ~ '(^|[\\s,"/])timescaledb([\\s,"]|$)')::text
            """
        ).rows[0]
        guard server[0] != nil else {
            if server[1] != "true" {
                return .plain(reason: "TimescaleDB is not installed on this server")
            }
            if server[2] != "true" {
                return .plain(
                    reason: "TimescaleDB is installed but not preloaded: add timescaledb to shared_preload_libraries"
                        + " in postgresql.conf, restart PostgreSQL, then run CREATE EXTENSION timescaledb and"
                        + " SELECT create_hypertable('positions', 'ts', migrate_data => true)"
                )
            }
            return .plain(reason: "TimescaleDB was not enabled when the migrations ran (flowrun.timescaledb = off)")
        }
        let rows = try await connection.query(Self.chunkInterval).rows
        guard let interval = rows.first?[0] else {
            return .plain(reason: "the timescaledb extension exists, but positions is not a hypertable")
        }
        return .hypertable(chunkInterval: interval)
    }

    /// Sets the chunk interval of a hypertable `positions` to `interval` (interval text) if it differs; does
    /// nothing on a plain table. Returns what the database has afterwards.
    public static func apply(
        chunkInterval interval: String,
        _ connection: PostgresConnection
    ) async throws(PostgresError) -> Self {
        let storage = try await Self.inspect(connection)
        guard case .hypertable = storage else { return storage }
        try await connection.query(
            """
            SELECT set_chunk_time_interval('positions', $1::interval)
            FROM (\(Self.chunkInterval)) AS d WHERE d.time_interval <> $1::interval
            """,
            [interval]
        )
        return try await Self.inspect(connection)
    }

    private static let chunkInterval = """
        SELECT time_interval::text AS text, time_interval FROM timescaledb_information.dimensions
        WHERE hypertable_schema = current_schema() AND hypertable_name = 'positions' AND column_name = 'ts'
        """
}
