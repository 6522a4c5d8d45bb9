/// race-timing's ``TimingStore`` in PostgreSQL: the `positions` table it rebuilds events from, and the
/// `crossings` table (CONTRACT §6.4) it writes.
///
/// - Important: ``apply(_:)`` writes a batch's changes in one transaction, the last change of each row
///   winning; an upsert that does not change the row's `seq`, `device_id` or `ts` writes nothing and keeps
///   its `updated_at`.
public struct PostgresTimingStore: TimingStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The positions of device `$1` from `$2` to `$3` (µs, each open when NULL), in `ts` order.
    static let deviceWindow = """
        FROM positions
        WHERE device_id = $1
            AND ($2::bigint IS NULL OR ts >= \(PostgresTime.timestamp("$2")))
            AND ($3::bigint IS NULL OR ts <= \(PostgresTime.timestamp("$3")))
        ORDER BY ts
        """

    /// A page of the positions of devices `$1` from `$2` to `$3` (µs, each open when NULL), those of device `$4`
    /// only after `$5` µs (all when NULL), at most `$6`, by device then `ts`: the primary key's order, so the
    /// server reads the index in order and stops at the limit. (The devices before the cursor are left out of
    /// `$1` by the caller: a row comparison `(device_id, ts) > …` beside `= ANY` made PostgreSQL 15 walk the
    /// index from each device for a second before the first row.) Read in binary format: `ts` and `received_at` as µs
    /// exactly, the coordinates as stored, and no text made or parsed but the device's.
    static let fixes = """
        SELECT device_id, ts, latitude, longitude, satellites, received_at
        FROM positions
        WHERE device_id = ANY($1::text[])
            AND ($2::bigint IS NULL OR ts >= \(PostgresTime.timestamp("$2")))
            AND ($3::bigint IS NULL OR ts <= \(PostgresTime.timestamp("$3")))
            AND ($4::text IS NULL OR device_id <> $4::text OR ts > \(PostgresTime.timestamp("$5")))
        ORDER BY device_id, ts
        LIMIT $6
        """

    static let crossings = """
        SELECT \(CrossingRecord.columns)
        FROM crossings WHERE event_id = $1::uuid
        """

    /// A batch's changes in one statement (so in one transaction and one round trip): each change recorded in
    /// the outbox (`$1`–`$7`, in order), the rows upserted (`$8`–`$13`) and removed (`$14`, `$15`), each row
    /// once. Returns the outbox ids.
    static let apply = """
        WITH recorded AS (
            INSERT INTO crossing_outbox (event_id, op, entry_id, checkpoint_id, seq, device_id, ts)
            SELECT e, o, n, c, s, d, \(PostgresTime.timestamp("t"))
            FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::integer[], $6::text[], $7::bigint[])
                WITH ORDINALITY AS change (e, o, n, c, s, d, t, i)
            ORDER BY i
            RETURNING id
        ), upserted AS (
            INSERT INTO crossings (event_id, entry_id, checkpoint_id, seq, device_id, ts)
            SELECT e, n, c, s, d, \(PostgresTime.timestamp("t"))
            FROM unnest($8::uuid[], $9::uuid[], $10::uuid[], $11::integer[], $12::text[], $13::bigint[])
                AS row (e, n, c, s, d, t)
            ON CONFLICT (entry_id, checkpoint_id) DO UPDATE
                SET event_id = excluded.event_id, seq = excluded.seq, device_id = excluded.device_id,
                    ts = excluded.ts, updated_at = now()
                WHERE (crossings.seq, crossings.device_id, crossings.ts)
                    IS DISTINCT FROM (excluded.seq, excluded.device_id, excluded.ts)
        ), removed AS (
            DELETE FROM crossings
            WHERE (entry_id, checkpoint_id) IN (SELECT * FROM unnest($14::uuid[], $15::uuid[]))
        )
        SELECT id FROM recorded ORDER BY id
        """

    static let outbox = """
        SELECT id, event_id, op, \(CrossingRecord.columns)
        FROM crossing_outbox ORDER BY id
        """

    public func storedFixes(
        of devices: [String],
        from: Int64?,
        to: Int64?,
        after cursor: StoredFixesPage.Cursor?,
        limit: Int
    ) async throws -> StoredFixesPage {
        var names = ArrayLiteral()
        for device in devices { names.append(quoted: device) }
        let limit = max(limit, 1)
        let parameters = [
            names.finished(), from.map { "\($0)" }, to.map { "\($0)" }, cursor?.device,
            cursor.map { "\($0.timestamp)" }, "\(limit)",
        ]
        let rows = try await self.connection.query(Self.fixes, parameters) { row -> (device: String, fix: TrackFix)? in
            guard let device = row.text(0), let ts = row.microseconds(1), let latitude = row.double(2),
                let longitude = row.double(3), let received = row.microseconds(5)
            else { return nil }
            let satellites = row.isNull(4) ? nil : row.int16(4).map(Int.init)
            if !row.isNull(4) && satellites == nil { return nil }
            let fix = Fix(timestamp: ts, latitude: latitude, longitude: longitude, satellites: satellites)
            return (device, TrackFix(fix, receivedAt: received))
        }
        return StoredFixesPage(rows: rows, limit: limit)
    }

    public func storedCrossings(of event: String) async throws -> [CrossingRecord] {
        try await self.connection.query(Self.crossings, [event]).rows.compactMap {
            CrossingRecord(row: $0, event: event)
        }
    }

    public func apply(_ changes: [CrossingChange]) async throws -> [Int64] {
        guard !changes.isEmpty else { return [] }
        // The last change of each row: the table's rows change once each, upserts and removals apart.
        var last: [CrossingRecord.Key: CrossingChange] = [:]
        for change in changes { last[change.crossing.key] = change }
        var recorded = CrossingArrays()
        for change in changes { recorded.append(change) }
        var upserts = CrossingArrays()
        var removals = CrossingArrays()
        // In key order: two instances writing the same rows lock them in the same order.
        for change in last.values.sorted(by: { $0.crossing.key < $1.crossing.key }) {
            if change.operation == .upsert { upserts.append(change) } else { removals.append(change) }
        }
        let rows = try await self.connection.query(
            Self.apply,
            recorded.changes + upserts.rows + removals.keys
        )
        return rows.rows.compactMap { $0[0].flatMap { Int64($0) } }
    }

    public func unpublished() async throws -> [(id: Int64, change: CrossingChange)] {
        try await self.connection.query(Self.outbox).rows.compactMap { row in
            guard let id = row[0].flatMap({ Int64($0) }), let event = row[1],
                let operation = row[2].flatMap({ CrossingChange.Operation(rawValue: $0) }),
                let record = CrossingRecord(row: row, event: event, from: 3)
            else { return nil }
            return (id, CrossingChange(operation, record))
        }
    }

    public func published(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        var literal = ArrayLiteral()
        for id in ids { literal.append(integer: Int(id)) }
        _ = try await self.connection.query(
            "DELETE FROM crossing_outbox WHERE id = ANY($1::bigint[])",
            [literal.finished()]
        )
    }
}
