/// Crossing changes as PostgreSQL array literals, one per column, for a statement that `unnest`s them
/// (``PostgresTimingStore``'s `apply`): a batch's changes in one statement.
struct CrossingArrays {
    private var events = ArrayLiteral()
    private var operations = ArrayLiteral()
    private var entries = ArrayLiteral()
    private var checkpoints = ArrayLiteral()
    private var seqs = ArrayLiteral()
    private var devices = ArrayLiteral()
    private var times = ArrayLiteral()

    mutating func append(_ change: CrossingChange) {
        let row = change.crossing
        self.events.append(quoted: row.event)
        self.operations.append(quoted: change.operation.rawValue)
        self.entries.append(quoted: row.entry)
        self.checkpoints.append(quoted: row.checkpoint)
        self.seqs.append(integer: row.seq)
        self.devices.append(quoted: row.device)
        self.times.append(integer: Int(row.timestamp))
    }

    /// Event, operation, entry, checkpoint, seq, device and µs `ts`: the outbox's columns.
    var changes: [String?] {
        [self.events, self.operations, self.entries, self.checkpoints, self.seqs, self.devices, self.times]
            .map { $0.finished() }
    }

    /// Event, entry, checkpoint, seq, device and µs `ts`: the `crossings` table's columns.
    var rows: [String?] {
        [self.events, self.entries, self.checkpoints, self.seqs, self.devices, self.times].map { $0.finished() }
    }

    /// Entry and checkpoint: a row's identity.
    var keys: [String?] { [self.entries.finished(), self.checkpoints.finished()] }
}
