import NIOCore

/// Writes batches of positions to the `positions` table (CONTRACT §2), exactly once each.
///
/// A batch is sent in PostgreSQL's binary formats, sorted by `(device_id, ts)` (so concurrent writers
/// take row locks in the same order), in at most two statements of one transaction:
///
/// - the positions newer than anything this instance had seen of their device
///   (``PositionEntry/isNewest``), which cannot be stored yet unless another instance stored them, by
///   `COPY … FROM STDIN (FORMAT binary)`: the server's cheapest way in (rows inserted in bulk, no
///   duplicate check beyond the primary key's);
/// - the others (repeats, late and out-of-order positions) as arrays expanded by `unnest` into
///   `INSERT … ON CONFLICT (device_id, ts) DO NOTHING`, so that one already stored is a no-op.
///
/// If the `COPY` meets a stored row after all (a unique violation: the other writer stored a repeat of it
/// from a later batch first — 0–3 of the 100–300 batches of `scripts/benchmark.sh`, which prints the
/// count —, another instance stored it, or the device's state was evicted or is not seeded), or the
/// writers' transactions deadlock, the transaction is rolled back and the whole batch is written by the
/// `INSERT … ON CONFLICT` alone. The `isNewest` hint therefore only decides the cost, never what is stored.
/// Counts are exact: the rows the statements report inserted, and `duplicates = batch − inserted`, also
/// within a batch.
///
/// Each row carries its judgement (CONTRACT §6.2): `faulty` (``PositionEntry/fault`` is set) and `fault` (its
/// raw value, NULL when not faulty). The first stored wins: a duplicate, judged again on arrival, does not
/// change the stored judgement (`DO NOTHING`).
///
/// - Important: When `write` returns, every position of the batch has a row (inserted now or already
///   there), so every entry of the batch may be acknowledged. When it throws, nothing of the batch was
///   committed by this call and nothing may be acknowledged; the batch is tried again.
public struct PositionWriter: PositionStore {

    static let insert = """
        INSERT INTO positions
            (device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority, attributes,
             faulty, fault)
        SELECT * FROM unnest(
            $1::text[], $2::timestamptz[], $3::float8[], $4::float8[], $5::real[], $6::real[], $7::real[],
            $8::smallint[], $9::smallint[], $10::jsonb[], $11::boolean[], $12::text[])
        ON CONFLICT (device_id, ts) DO NOTHING
        """

    static let copy = """
        COPY positions
            (device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority, attributes, faulty, fault)
            FROM STDIN (FORMAT binary)
        """

    /// SQLSTATEs after which the batch is written again by the `INSERT … ON CONFLICT` alone.
    static let retriedAsInsert: Set<String> = ["23505", "40P01"]  // unique_violation, deadlock_detected

    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func write(_ entries: [PositionEntry]) async throws -> WriteOutcome {
        guard !entries.isEmpty else { return WriteOutcome(inserted: 0, duplicates: 0) }
        // The batch's order as indices, so that no position is copied on the way to the encoders.
        let sorted = WriteOrder.indices(of: entries)
        let newest = sorted.filter { entries[$0].isNewest }
        let others = sorted.filter { !entries[$0].isNewest }
        let inserted = try await self.pool.withConnection { connection in
            guard !newest.isEmpty else {
                return try await connection.query(Self.insert, binary: Self.parameters(for: entries, others)).affected
            }
            try await connection.execute("BEGIN")
            do {
                var inserted = try await connection.copyIn(Self.copy, data: Self.copyData(for: entries, newest))
                if !others.isEmpty {
                    inserted += try await connection.query(Self.insert, binary: Self.parameters(for: entries, others))
                        .affected
                }
                try await connection.execute("COMMIT")
                return inserted
            } catch let error as PostgresError where error.kind == .query {
                try await connection.execute("ROLLBACK")
                guard let state = error.sqlState, Self.retriedAsInsert.contains(state) else { throw error }
                return try await connection.query(Self.insert, binary: Self.parameters(for: entries, sorted)).affected
            }
        }
        return WriteOutcome(inserted: inserted, duplicates: entries.count - inserted)
    }

    /// The columns written, in the order of ``insert``'s parameters and ``copy``'s column list: each with its
    /// binary type and about how many bytes a value takes (to reserve).
    static let columns: [(type: BinaryArray.ElementType, bytes: Int)] = [
        (.text, 24), (.timestamptz, 12), (.float8, 12), (.float8, 12), (.float4, 8), (.float4, 8), (.float4, 8),
        (.int2, 6), (.int2, 6), (.jsonb, 64), (.bool, 5), (.text, 4),
    ]

    /// Appends column `column` (of ``columns``) of the entry at `entry`, whose attributes' JSON is `json`, to
    /// `values`.
    ///
    /// The entry is read in place through the pointer: each column projects only its field, where passing a
    /// `PositionEntry` (even `borrowing`) copied the whole entry, and retained and released its strings and
    /// attributes, once per column.
    static func append(
        column: Int,
        of entry: UnsafePointer<PositionEntry>,
        json: UnsafeBufferPointer<UInt8>,
        to values: inout BinaryValueWriter
    ) {
        switch column {
        case 0: values.append(text: entry.pointee.position.deviceID)
        case 1: values.append(timestamptz: entry.pointee.position.timestamp)
        case 2: values.append(float8: entry.pointee.position.latitude)
        case 3: values.append(float8: entry.pointee.position.longitude)
        case 4: values.append(float4: entry.pointee.position.altitude)
        case 5: values.append(float4: entry.pointee.position.angle)
        case 6: values.append(float4: entry.pointee.position.speed)
        case 7: values.append(int2: entry.pointee.position.satellites)
        case 8: values.append(int2: entry.pointee.position.priority)
        case 9: values.append(jsonb: json)
        case 10: values.append(bool: entry.pointee.fault != nil)
        default: values.append(text: entry.pointee.fault?.rawValue)
        }
    }

    /// The most bytes ``append(column:of:json:to:)`` writes for all columns of the entry at `entry`: each
    /// column's length word, its fixed-size values, and the texts at their length.
    static func maximumBytes(of entry: UnsafePointer<PositionEntry>, json: UnsafeBufferPointer<UInt8>) -> Int {
        let fixed = 4 * Self.columns.count + 8 + 8 + 8 + 3 * 4 + 2 * 2 + 1 + 1
        return fixed + entry.pointee.position.deviceID.utf8.count + json.count
            + (entry.pointee.fault?.rawValue.utf8.count ?? 0)
    }

    /// The array parameters of ``insert``, one per column, in PostgreSQL's binary array format: the positions
    /// of `entries` at `indices`, in that order.
    static func parameters(for entries: [PositionEntry], _ indices: [Int]) -> [[UInt8]?] {
        entries.withUnsafeBufferPointer { rows in
            var arrays = Self.columns.map { BinaryArray(of: $0.type, reservingBytes: indices.count * $0.bytes) }
            for index in indices {
                let entry = rows.baseAddress! + index
                entry.pointee.position.attributes.withJSON { json in
                    let bound = Self.maximumBytes(of: entry, json: json)
                    for column in arrays.indices {
                        arrays[column].elements.write(maximumBytes: bound) {
                            Self.append(column: column, of: entry, json: json, to: &$0)
                        }
                    }
                }
            }
            return arrays.indices.map { arrays[$0].finished() }
        }
    }

    /// The rows of ``copy``: the positions of `entries` at `indices`, in that order, each row written in one
    /// go into space reserved for it.
    static func copyData(for entries: [PositionEntry], _ indices: [Int]) -> ByteBuffer {
        entries.withUnsafeBufferPointer { rows in
            // Built inside the closure, not captured by it: no dynamic exclusivity check per row.
            var copy = BinaryCopy(reservingBytes: indices.count * Self.columns.reduce(2) { $0 + $1.bytes })
            let fields = Int16(Self.columns.count)
            for index in indices {
                let entry = rows.baseAddress! + index
                entry.pointee.position.attributes.withJSON { json in
                    copy.fields.write(maximumBytes: 2 + Self.maximumBytes(of: entry, json: json)) { row in
                        row.put(fields)
                        for column in 0..<Int(fields) { Self.append(column: column, of: entry, json: json, to: &row) }
                    }
                }
            }
            return copy.finished()
        }
    }
}
