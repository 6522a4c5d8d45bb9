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

    /// Read in binary format: `ts` and `received_at` as µs exactly, the coordinates as stored, and no text
    /// made or parsed (a rebuild reads every stored fix of an event).
    static let fixes = """
        SELECT ts, latitude, longitude, satellites, received_at
        \(deviceWindow)
        """

    static let crossings = """
        SELECT \(CrossingRecord.columns)
        FROM crossings WHERE event_id = $1::uuid
        """

    static let upsert = """
        INSERT INTO crossings (event_id, entry_id, checkpoint_id, seq, device_id, ts)
        VALUES ($1::uuid, $2::uuid, $3::uuid, $4::integer, $5, \(PostgresTime.timestamp("$6")))
        ON CONFLICT (entry_id, checkpoint_id) DO UPDATE
            SET event_id = excluded.event_id, seq = excluded.seq, device_id = excluded.device_id,
                ts = excluded.ts, updated_at = now()
            WHERE (crossings.seq, crossings.device_id, crossings.ts)
                IS DISTINCT FROM (excluded.seq, excluded.device_id, excluded.ts)
        """

    static let delete = "DELETE FROM crossings WHERE entry_id = $1::uuid AND checkpoint_id = $2::uuid"

    static let record = """
        INSERT INTO crossing_outbox (event_id, op, entry_id, checkpoint_id, seq, device_id, ts)
        VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5::integer, $6, \(PostgresTime.timestamp("$7")))
        RETURNING id
        """

    static let outbox = """
        SELECT id, event_id, op, \(CrossingRecord.columns)
        FROM crossing_outbox ORDER BY id
        """

    public func storedFixes(of device: String, from: Int64?, to: Int64?) async throws -> [TrackFix] {
        try await self.connection.query(Self.fixes, [device, from.map { "\($0)" }, to.map { "\($0)" }]) { row in
            guard let ts = row.microseconds(0), let latitude = row.double(1), let longitude = row.double(2),
                let received = row.microseconds(4)
            else { return nil }
            let satellites = row.isNull(3) ? nil : row.int16(3).map(Int.init)
            if !row.isNull(3) && satellites == nil { return nil }
            return TrackFix(
                Fix(timestamp: ts, latitude: latitude, longitude: longitude, satellites: satellites),
                receivedAt: received
            )
        }
    }

    public func storedCrossings(of event: String) async throws -> [CrossingRecord] {
        try await self.connection.query(Self.crossings, [event]).rows.compactMap {
            CrossingRecord(row: $0, event: event)
        }
    }

    public func apply(_ changes: [CrossingChange]) async throws -> [Int64] {
        guard !changes.isEmpty else { return [] }
        // The last change of each row, in the order the rows were first changed.
        var last: [CrossingRecord.Key: CrossingChange] = [:]
        var order: [CrossingRecord.Key] = []
        for change in changes {
            if last.updateValue(change, forKey: change.crossing.key) == nil { order.append(change.crossing.key) }
        }
        try await self.connection.execute("BEGIN")
        do {
            var ids: [Int64] = []
            for change in changes {
                let row = change.crossing
                let recorded = try await self.connection.query(
                    Self.record,
                    [
                        row.event, change.operation.rawValue, row.entry, row.checkpoint, "\(row.seq)", row.device,
                        "\(row.timestamp)",
                    ]
                )
                if let id = recorded.rows.first?[0].flatMap({ Int64($0) }) { ids.append(id) }
            }
            for key in order {
                guard let change = last[key] else { continue }
                let row = change.crossing
                switch change.operation {
                case .upsert:
                    _ = try await self.connection.query(
                        Self.upsert,
                        [row.event, row.entry, row.checkpoint, "\(row.seq)", row.device, "\(row.timestamp)"]
                    )
                case .remove:
                    _ = try await self.connection.query(Self.delete, [row.entry, row.checkpoint])
                }
            }
            try await self.connection.execute("COMMIT")
            return ids
        } catch {
            try? await self.connection.execute("ROLLBACK")
            throw error
        }
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
