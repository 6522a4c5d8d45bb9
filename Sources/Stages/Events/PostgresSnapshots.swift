/// The snapshot of an event (CONTRACT §5): the latest non-faulty stored position of every device of the event,
/// read from `positions` and the CMS's event registry (CONTRACT §3) in one statement; and its timing (§6.5,
/// see `PostgresSnapshots+Timing.swift`).
///
/// The registry tables belong to the CMS; flowrun's migrations never create them (see ``DeviceEvents``).
///
/// Each device's position comes from a backward scan of the primary key `(device_id, ts)` that stops at its
/// newest non-faulty row (a `LATERAL … ORDER BY ts DESC LIMIT 1`), never from a scan of the table; only a
/// device whose rows are all faulty is scanned through. Devices with no such row are left out.
///
/// Values as stored: `ts` exactly to the microsecond; `altitude`, `angle`, `speed` (`real`) as the `Double` of
/// the column's `Float` value (e.g. 43.1 stored reads as 43.099998474121094), `satellites` as `Int`.
public struct PostgresSnapshots: LiveSnapshots {
    private enum Database: Sendable {
        case connection(PostgresConnection)
        case pool(PostgresPool)
    }

    private let database: Database

    /// Snapshots read one at a time on `connection`.
    public init(connection: PostgresConnection) {
        self.database = .connection(connection)
    }

    /// Snapshots read concurrently, one per connection of `pool`.
    public init(pool: PostgresPool) {
        self.database = .pool(pool)
    }

    /// The latest non-faulty position of each device of `event` (a UUID), ordered by device id. Throws a
    /// ``PostgresError`` when it cannot be read (also when `event` is not a UUID).
    public func snapshot(event: String) async throws -> [LivePosition] {
        let rows = try await self.withConnection { try await $0.query(Self.statement, [event]) }
        return rows.rows.compactMap(Self.position)
    }

    /// Runs `body` on the connection, or on one of the pool's.
    func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        switch self.database {
        case .connection(let connection): try await body(connection)
        case .pool(let pool): try await pool.withConnection(body)
        }
    }

    /// The one statement a snapshot runs (`$1`: the event id); public so that its plan can be checked.
    ///
    /// `ts` in µs since the epoch, exactly: whole seconds (`floor` of the epoch) times 10⁶ plus the
    /// microseconds within the second (`extract(microseconds …)` counts them from the start of the minute,
    /// hence the `% 1000000`); right before 1970 too, and whether `extract` returns `numeric` (PostgreSQL 14+)
    /// or `double precision`.
    public static let statement = """
        SELECT d.imei,
            floor(extract(epoch FROM p.ts))::bigint * 1000000 + extract(microseconds FROM p.ts)::bigint % 1000000,
            p.latitude, p.longitude, p.altitude, p.angle, p.speed, p.satellites
        FROM (
            SELECT DISTINCT dv.imei
            FROM entries e
            JOIN entry_devices ed ON ed.entry_id = e.id
            JOIN devices dv ON dv.id = ed.device_id
            WHERE e.event_id = $1::uuid
        ) AS d
        CROSS JOIN LATERAL (
            SELECT ts, latitude, longitude, altitude, angle, speed, satellites
            FROM positions
            WHERE positions.device_id = d.imei AND NOT positions.faulty
            ORDER BY positions.ts DESC
            LIMIT 1
        ) AS p
        ORDER BY d.imei
        """

    /// A row of `imei, ts (µs), latitude, longitude, altitude, angle, speed, satellites` as a position.
    static func position(_ row: some RandomAccessCollection<String?>) -> LivePosition? {
        let row = Array(row)
        guard let device = row[0], let timestamp = row[1].flatMap({ Int64($0) }),
            let latitude = row[2].flatMap({ Double($0) }), let longitude = row[3].flatMap({ Double($0) })
        else { return nil }
        return LivePosition(
            deviceID: device,
            timestamp: timestamp,
            latitude: latitude,
            longitude: longitude,
            altitude: Self.real(row[4]),
            angle: Self.real(row[5]),
            speed: Self.real(row[6]),
            satellites: row[7].flatMap { Int($0) }
        )
    }

    /// A `real` column's text (shortest text that reads back as the same `Float`) as that `Float`'s `Double`.
    private static func real(_ text: String?) -> Double? {
        text.flatMap { Float($0) }.map { Double($0) }
    }
}
