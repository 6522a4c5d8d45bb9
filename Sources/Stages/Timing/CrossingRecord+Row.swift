extension CrossingRecord {
    /// The columns ``init(row:event:from:)`` reads, in its order, for the `SELECT` list of a `crossings` or
    /// `crossing_outbox` query (CONTRACT §6.4): `ts` as µs since the epoch (``PostgresTime``).
    static let columns = "entry_id, checkpoint_id, seq, device_id, \(PostgresTime.microseconds("ts"))"

    /// The crossing of `event` in a result row (libpq's text format) whose columns from `first` on are
    /// ``columns``: `entry_id`, `checkpoint_id`, `seq`, `device_id`, `ts` in µs. Nil when one of them is NULL
    /// or not a number where one is due, or the row is too short, so that a caller skips the row.
    public init?(row: [String?], event: String, from first: Int = 0) {
        guard row.count >= first + 5, let entry = row[first], let checkpoint = row[first + 1],
            let seq = row[first + 2].flatMap({ Int($0) }), let device = row[first + 3],
            let timestamp = row[first + 4].flatMap({ Int64($0) })
        else { return nil }
        self.init(event: event, entry: entry, checkpoint: checkpoint, seq: seq, device: device, timestamp: timestamp)
    }
}
