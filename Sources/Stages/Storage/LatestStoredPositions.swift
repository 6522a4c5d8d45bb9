/// Reads the latest stored position time of devices, to seed the device state after a restart.
public struct LatestStoredPositions: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Each given device that has a stored position → the newest one's time, in µs since the epoch.
    ///
    /// One statement for all devices; each device's maximum comes from a backward scan of the primary key.
    public func latest(of devices: [String]) async throws -> [String: Int64] {
        var literal = ArrayLiteral()
        for device in devices { literal.append(quoted: device) }
        let rows = try await self.connection.query(
            """
            SELECT d.device_id, (extract(epoch FROM latest.ts) * 1000000)::bigint
            FROM unnest($1::text[]) AS d(device_id)
            CROSS JOIN LATERAL (
                SELECT ts FROM positions p WHERE p.device_id = d.device_id ORDER BY ts DESC LIMIT 1
            ) AS latest
            """,
            [literal.finished()]
        )
        var latest: [String: Int64] = [:]
        for row in rows.rows {
            if let device = row[0], let micros = row[1].flatMap({ Int64($0) }) { latest[device] = micros }
        }
        return latest
    }
}
