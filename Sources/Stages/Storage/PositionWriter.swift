/// Writes batches of positions to the `positions` table (CONTRACT §2), exactly once each.
///
/// One statement per batch: the batch as arrays, one per column, sent in PostgreSQL's binary format and
/// expanded by `unnest` into `INSERT … ON CONFLICT (device_id, ts) DO NOTHING`. (Measured with
/// `scripts/benchmark.sh`: binary arrays cost both sides far less than text ones, which need every number
/// and time printed here and parsed there.) A position already stored (from an earlier delivery,
/// or twice in the same batch) is a no-op, not an error; the statement's row count is the number inserted,
/// so `duplicates = batch − inserted` is exact, also within a batch.
///
/// Rows are sent sorted by `(device_id, ts)`, so that concurrent writers take row locks in the same order
/// and never deadlock on each other.
///
/// - Important: When `write` returns, every position of the batch has a row (inserted now or already
///   there), so every entry of the batch may be acknowledged. When it throws, nothing is known to be stored
///   and nothing may be acknowledged; the batch is tried again.
public struct PositionWriter: Sendable {
    public struct Outcome: Sendable, Hashable {
        public var inserted: Int
        public var duplicates: Int

        public init(inserted: Int, duplicates: Int) {
            self.inserted = inserted
            self.duplicates = duplicates
        }
    }

    static let statement = """
        INSERT INTO positions
            (device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority, attributes)
        SELECT * FROM unnest(
            $1::text[], $2::timestamptz[], $3::float8[], $4::float8[], $5::real[], $6::real[], $7::real[],
            $8::smallint[], $9::smallint[], $10::jsonb[])
        ON CONFLICT (device_id, ts) DO NOTHING
        """

    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func write(_ positions: [Position]) async throws -> Outcome {
        guard !positions.isEmpty else { return Outcome(inserted: 0, duplicates: 0) }
        let parameters = Self.parameters(for: positions)
        let inserted = try await self.pool.withConnection { connection in
            try await connection.query(Self.statement, binary: parameters).affected
        }
        return Outcome(inserted: inserted, duplicates: positions.count - inserted)
    }

    /// The ten array parameters, in PostgreSQL's binary array format.
    static func parameters(for positions: [Position]) -> [[UInt8]?] {
        let sorted = positions.sorted { ($0.deviceID, $0.timestamp) < ($1.deviceID, $1.timestamp) }
        let count = sorted.count
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
        for position in sorted {
            deviceIDs.append(text: position.deviceID)
            times.append(timestamptz: position.timestamp)
            latitudes.append(float8: position.latitude)
            longitudes.append(float8: position.longitude)
            altitudes.append(float4: position.altitude)
            angles.append(float4: position.angle)
            speeds.append(float4: position.speed)
            satellites.append(int2: position.satellites)
            priorities.append(int2: position.priority)
            attributes.append(jsonb: position.appendAttributesJSON(to:))
        }
        return [
            deviceIDs, times, latitudes, longitudes, altitudes, angles, speeds, satellites, priorities, attributes,
        ].map { $0.finished() }
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
