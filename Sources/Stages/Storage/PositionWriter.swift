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
/// If the `COPY` meets a stored row after all (a unique violation: another instance stored it, or the
/// device's state was evicted or is not seeded), or the two writers' transactions deadlock, the
/// transaction is rolled back and the whole batch is written by the `INSERT … ON CONFLICT` alone. The
/// `isNewest` hint therefore only decides the cost, never what is stored. Counts are exact: the rows the
/// statements report inserted, and `duplicates = batch − inserted`, also within a batch.
///
/// - Important: When `write` returns, every position of the batch has a row (inserted now or already
///   there), so every entry of the batch may be acknowledged. When it throws, nothing of the batch was
///   committed by this call and nothing may be acknowledged; the batch is tried again.
public struct PositionWriter: Sendable {
    public struct Outcome: Sendable, Hashable {
        public var inserted: Int
        public var duplicates: Int

        public init(inserted: Int, duplicates: Int) {
            self.inserted = inserted
            self.duplicates = duplicates
        }
    }

    static let insert = """
        INSERT INTO positions
            (device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority, attributes)
        SELECT * FROM unnest(
            $1::text[], $2::timestamptz[], $3::float8[], $4::float8[], $5::real[], $6::real[], $7::real[],
            $8::smallint[], $9::smallint[], $10::jsonb[])
        ON CONFLICT (device_id, ts) DO NOTHING
        """

    static let copy = """
        COPY positions (device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority, attributes)
            FROM STDIN (FORMAT binary)
        """

    /// SQLSTATEs after which the batch is written again by the `INSERT … ON CONFLICT` alone.
    static let retriedAsInsert: Set<String> = ["23505", "40P01"]  // unique_violation, deadlock_detected

    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func write(_ entries: [PositionEntry]) async throws -> Outcome {
        guard !entries.isEmpty else { return Outcome(inserted: 0, duplicates: 0) }
        let sorted = entries.sorted {
            ($0.position.deviceID, $0.position.timestamp) < ($1.position.deviceID, $1.position.timestamp)
        }
        let newest = sorted.filter(\.isNewest).map(\.position)
        let others = sorted.filter { !$0.isNewest }.map(\.position)
        let inserted = try await self.pool.withConnection { connection in
            guard !newest.isEmpty else {
                return try await connection.query(Self.insert, binary: Self.parameters(for: others)).affected
            }
            try await connection.execute("BEGIN")
            do {
                var inserted = try await connection.copyIn(Self.copy, data: Self.copyData(for: newest))
                if !others.isEmpty {
                    inserted += try await connection.query(Self.insert, binary: Self.parameters(for: others)).affected
                }
                try await connection.execute("COMMIT")
                return inserted
            } catch let error as PostgresError where error.kind == .query {
                try await connection.execute("ROLLBACK")
                guard let state = error.sqlState, Self.retriedAsInsert.contains(state) else { throw error }
                let all = sorted.map(\.position)
                return try await connection.query(Self.insert, binary: Self.parameters(for: all)).affected
            }
        }
        return Outcome(inserted: inserted, duplicates: entries.count - inserted)
    }

    /// The ten array parameters of ``insert``, in PostgreSQL's binary array format, in the order given.
    static func parameters(for positions: [Position]) -> [[UInt8]?] {
        let count = positions.count
        var deviceIDs = BinaryArray(of: .text, reservingBytes: count * 24)
        var times = BinaryArray(of: .timestamptz, reservingBytes: count * 12)
        var latitudes = BinaryArray(of: .float8, reservingBytes: count * 12)
        var longitudes = BinaryArray(of: .float8, reservingBytes: count * 12)
        var altitudes = BinaryArray(of: .float4, reservingBytes: count * 8)
        var angles = BinaryArray(of: .float4, reservingBytes: count * 8)
        var speeds = BinaryArray(of: .float4, reservingBytes: count * 8)
        var satellites = BinaryArray(of: .int2, reservingBytes: count * 6)
        var priorities = BinaryArray(of: .int2, reservingBytes: count * 6)
        var attributes = BinaryArray(of: .jsonb, reservingBytes: count * 64)
        for position in positions {
            deviceIDs.elements.append(text: position.deviceID)
            times.elements.append(timestamptz: position.timestamp)
            latitudes.elements.append(float8: position.latitude)
            longitudes.elements.append(float8: position.longitude)
            altitudes.elements.append(float4: position.altitude)
            angles.elements.append(float4: position.angle)
            speeds.elements.append(float4: position.speed)
            satellites.elements.append(int2: position.satellites)
            priorities.elements.append(int2: position.priority)
            attributes.elements.append(jsonb: position.appendAttributesJSON(to:))
        }
        return [
            deviceIDs, times, latitudes, longitudes, altitudes, angles, speeds, satellites, priorities, attributes,
        ].map { $0.finished() }
    }

    /// The rows of ``copy``, in the order given.
    static func copyData(for positions: [Position]) -> [UInt8] {
        var copy = BinaryCopy(reservingBytes: positions.count * 200)
        for position in positions {
            copy.startRow(fields: 10)
            copy.fields.append(text: position.deviceID)
            copy.fields.append(timestamptz: position.timestamp)
            copy.fields.append(float8: position.latitude)
            copy.fields.append(float8: position.longitude)
            copy.fields.append(float4: position.altitude)
            copy.fields.append(float4: position.angle)
            copy.fields.append(float4: position.speed)
            copy.fields.append(int2: position.satellites)
            copy.fields.append(int2: position.priority)
            copy.fields.append(jsonb: position.appendAttributesJSON(to:))
        }
        return copy.finished()
    }
}

/// Builds a one-dimensional PostgreSQL array literal: `{"a","b\"c",NULL,1.5}`.
struct ArrayLiteral {
    private var text = "{"
    private var empty = true

    private mutating func separate() {
        if self.empty { self.empty = false } else { self.text.append(",") }
    }

    mutating func append(quoted value: String) {
        self.separate()
        self.text.append("\"")
        for character in value.unicodeScalars {
            if character == "\"" || character == "\\" { self.text.append("\\") }
            self.text.unicodeScalars.append(character)
        }
        self.text.append("\"")
    }

    mutating func append(number value: Double?) {
        self.separate()
        if let value { self.text.append(value.description) } else { self.text.append("NULL") }
    }

    mutating func append(integer value: Int?) {
        self.separate()
        if let value { self.text.append(String(value)) } else { self.text.append("NULL") }
    }

    func finished() -> String { self.text + "}" }
}
