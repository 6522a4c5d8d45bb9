/// Compression and retention of the `positions` hypertable: TimescaleDB's compression and retention
/// policies, set from `postgres.compress_after` and `postgres.retention` at each start (``apply(_:_:)``).
///
/// - A policy that is asked for and missing is added; one whose age differs is replaced; one no longer
///   asked for (`off`) is removed. Applying the same settings twice changes nothing.
/// - Compression needs the table's compression settings: segments by `device_id` (a device's positions
///   compress together and one device's are read without the others'), ordered by `ts`. They are set the
///   first time compression is asked for and then kept: turning compression off removes the policy, and
///   chunks already compressed stay so (TimescaleDB's `decompress_chunk` undoes one).
/// - On a compressed chunk, `INSERT … ON CONFLICT (device_id, ts) DO NOTHING` still finds a stored position
///   (a late duplicate stays a no-op) and stores a new one (TimescaleDB 2.28, tested); a `COPY` meeting a
///   stored position fails as on any chunk, and the writer then writes its batch by that `INSERT`.
/// - Runs in one transaction holding the migrations' advisory lock (as a transaction lock), so instances
///   starting together with different settings apply one after the other; the last one's stay.
/// - Only for a hypertable (``PositionsStorage/hypertable(chunkInterval:)``): a plain table has no policies.
public enum PositionsLifecycle {
    /// The policies, each an age as PostgreSQL interval text; nil when off.
    public struct Policies: Sendable, Equatable, CustomStringConvertible {
        /// Chunks whose newest time is older than this are compressed.
        public var compressAfter: String?
        /// Chunks whose newest time is older than this are dropped.
        public var retention: String?

        public init(compressAfter: String? = nil, retention: String? = nil) {
            self.compressAfter = compressAfter
            self.retention = retention
        }

        public var description: String {
            "compression \(self.compressAfter.map { "after \($0)" } ?? "off"), "
                + "retention \(self.retention.map { "\($0)" } ?? "off")"
        }
    }

    /// The policies in force on `connection`'s `positions` hypertable.
    public static func policies(_ connection: PostgresConnection) async throws(PostgresError) -> Policies {
        let rows = try await connection.query(
            """
            SELECT proc_name::text, coalesce(config->>'compress_after', config->>'drop_after')
            FROM timescaledb_information.jobs
            WHERE hypertable_schema = current_schema() AND hypertable_name = 'positions'
                AND proc_name IN ('policy_compression', 'policy_retention')
            """
        ).rows
        var policies = Policies()
        for row in rows {
            if row[0] == "policy_compression" { policies.compressAfter = row[1] }
            if row[0] == "policy_retention" { policies.retention = row[1] }
        }
        return policies
    }

    /// Makes the policies in force `wanted`; returns what it changed, one line each (empty when nothing).
    public static func apply(
        _ wanted: Policies,
        _ connection: PostgresConnection
    ) async throws(PostgresError) -> [String] {
        try await connection.execute("BEGIN")
        do {
            try await connection.query("SELECT pg_advisory_xact_lock($1)", [String(Migrator.lockKey)])
            var changes: [String] = []
            let current = try await Self.policies(connection)
            if wanted.compressAfter != nil {
                let enabled = try await connection.query(
                    """
                    SELECT compression_enabled::text FROM timescaledb_information.hypertables
                    WHERE hypertable_schema = current_schema() AND hypertable_name = 'positions'
                    """
                ).rows.first?[0]
                if enabled != "true" {
                    try await connection.execute(
                        """
                        ALTER TABLE positions SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id',
                            timescaledb.compress_orderby = 'ts')
                        """
                    )
                    changes.append("compression enabled on positions: segments by device_id, ordered by ts")
                }
            }
            changes += try await Self.replace(.compression, current.compressAfter, by: wanted.compressAfter, connection)
            changes += try await Self.replace(.retention, current.retention, by: wanted.retention, connection)
            try await connection.execute("COMMIT")
            return changes
        } catch {
            try? await connection.execute("ROLLBACK")
            throw error
        }
    }

    private enum Kind: String {
        case compression, retention

        var add: String {
            switch self {
            case .compression: "SELECT add_compression_policy('positions', compress_after => $1::interval)"
            case .retention: "SELECT add_retention_policy('positions', drop_after => $1::interval)"
            }
        }

        var remove: String { "SELECT remove_\(self.rawValue)_policy('positions')" }

        func added(_ age: String) -> String {
            switch self {
            case .compression: "compression policy: chunks older than \(age) are compressed"
            case .retention: "retention policy: chunks older than \(age) are dropped"
            }
        }
    }

    private static func replace(
        _ kind: Kind,
        _ current: String?,
        by wanted: String?,
        _ connection: PostgresConnection
    ) async throws(PostgresError) -> [String] {
        if let current, let wanted,
            try await connection.query("SELECT ($1::interval = $2::interval)::text", [current, wanted]).rows
                == [["true"]]
        {
            return []
        }
        var changes: [String] = []
        if let current {
            try await connection.query(kind.remove)
            if wanted == nil { changes.append("\(kind.rawValue) policy removed (it was \(current))") }
        }
        if let wanted {
            try await connection.query(kind.add, [wanted])
            changes.append(kind.added(wanted) + (current.map { " (it was \($0))" } ?? ""))
        }
        return changes
    }
}
