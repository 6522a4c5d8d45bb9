/// The timing part of a snapshot (CONTRACT §6.5): the course from the CMS's `checkpoints`, the entries from
/// `entries`, `entry_devices` and `devices`, and the counted crossings from flowrun's `crossings` table.
extension PostgresSnapshots {
    /// `event`'s course (checkpoints in `seq` order), entries (by id, each with its IMEIs) and crossings (by
    /// entry and checkpoint). Throws a ``PostgresError`` when one cannot be read. A checkpoint whose `kind` is
    /// none of `start`, `split`, `finish` is left out.
    public func timing(event: String) async throws -> LiveTimingSnapshot {
        let read: @Sendable (PostgresConnection) async throws -> [PostgresRows] = { connection in
            [
                try await connection.query(Self.courseStatement, [event]),
                try await connection.query(Self.entriesStatement, [event]),
                try await connection.query(Self.crossingsStatement, [event]),
            ]
        }
        let results = try await self.withConnection(read)
        return LiveTimingSnapshot(
            course: results[0].rows.compactMap(Self.checkpoint),
            entries: Self.entries(results[1].rows),
            crossings: results[2].rows.compactMap { CrossingRecord(row: $0, event: event) }
        )
    }

    static let courseStatement = """
        SELECT id, seq, name, kind, lat1, lon1, lat2, lon2 FROM checkpoints WHERE event_id = $1::uuid ORDER BY seq
        """

    /// One row per entry and device (one with a NULL IMEI for an entry without devices).
    static let entriesStatement = """
        SELECT e.id, e.name, dv.imei
        FROM entries e
        LEFT JOIN entry_devices ed ON ed.entry_id = e.id
        LEFT JOIN devices dv ON dv.id = ed.device_id
        WHERE e.event_id = $1::uuid
        ORDER BY e.id, dv.imei
        """

    /// The event's counted crossings, as ``CrossingRecord/init(row:event:from:)`` reads them.
    static let crossingsStatement = """
        SELECT \(CrossingRecord.columns)
        FROM crossings
        WHERE event_id = $1::uuid
        ORDER BY entry_id, checkpoint_id
        """

    private static func checkpoint(_ row: [String?]) -> Checkpoint? {
        guard let id = row[0], let seq = row[1].flatMap({ Int($0) }), let name = row[2],
            let kind = row[3].flatMap({ Checkpoint.Kind(rawValue: $0) }),
            let lat1 = row[4].flatMap({ Double($0) }), let lon1 = row[5].flatMap({ Double($0) }),
            let lat2 = row[6].flatMap({ Double($0) }), let lon2 = row[7].flatMap({ Double($0) })
        else { return nil }
        return Checkpoint(id: id, seq: seq, name: name, kind: kind, lat1: lat1, lon1: lon1, lat2: lat2, lon2: lon2)
    }

    private static func entries(_ rows: [[String?]]) -> [EventEntry] {
        var entries: [EventEntry] = []
        var current: (id: String, name: String?, devices: [String])?
        for row in rows {
            guard let id = row[0] else { continue }
            if current?.id != id {
                if let done = current {
                    entries.append(EventEntry(id: done.id, name: done.name, devices: done.devices))
                }
                current = (id, row[1], [])
            }
            if let imei = row[2] { current?.devices.append(imei) }
        }
        if let done = current { entries.append(EventEntry(id: done.id, name: done.name, devices: done.devices)) }
        return entries
    }
}
