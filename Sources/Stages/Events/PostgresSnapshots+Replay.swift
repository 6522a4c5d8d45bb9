/// The stored positions a replay reads (`GET /events/<id>/positions`, ``LivePositionHistory``).
extension PostgresSnapshots: LivePositionHistory {
    /// One page of `event`'s non-faulty stored positions and the span of all of them, read in one statement (so
    /// from one snapshot of the table). Throws a ``PostgresError`` when they cannot be read.
    public func positions(event: String, query: LiveReplayQuery) async throws -> LiveReplayPage {
        let parameters: [String?] = [
            event,
            query.lowerBound.map { String($0) },
            query.after.map { String($0.timestamp) },
            query.after?.deviceID,
            query.until.map { String($0) },
            String(query.limit),
        ]
        let rows = try await self.withConnection { try await $0.query(Self.replayStatement, parameters) }
        let span = rows.rows.first
        return LiveReplayPage(
            positions: rows.rows.compactMap { Self.position($0.dropFirst(3)) },
            first: span?[0].flatMap { Int64($0) },
            last: span?[1].flatMap { Int64($0) },
            more: span?[2] == "t"
        )
    }

    /// The statement of a replay page: `$1` the event, `$2` the lowest `ts` (µs, NULL: none), `$3`/`$4` the
    /// cursor's `ts` (µs) and device (NULL: none), `$5` the end (µs, exclusive, NULL: none), `$6` the limit.
    /// One row per position (the first three columns the span and whether more may follow, the same in each),
    /// or one row with only those when the page is empty. Devices of one `ts` are ordered by their ids' bytes
    /// (`COLLATE "C"`), whatever the database's locale.
    ///
    /// Every read walks the primary key `(device_id, ts)`. Per device of the event, a forward range scan from the
    /// page's start that stops after a share of the limit: twice the limit divided by the devices (at least 16,
    /// at most the limit), so a page reads about twice the limit of index entries however many devices there
    /// are and however large the table. A device whose run stopped at its share may have more after it, so the
    /// page ends at the earliest such run's end: up to there every device's positions were read, and they are
    /// merged by `ts` and cut at the limit. (A page may so hold fewer than the limit and still be followed by
    /// more: ``LiveReplayPage/more``.) The span is one index probe at each end per device. Public so that its
    /// plan can be checked.
    public static let replayStatement = """
        WITH event_devices AS (
            SELECT DISTINCT dv.imei
            FROM entries e
            JOIN entry_devices ed ON ed.entry_id = e.id
            JOIN devices dv ON dv.id = ed.device_id
            WHERE e.event_id = $1::uuid
        ), share AS (
            SELECT least($6::integer, greatest(16, ceil(2.0 * $6::integer / greatest(count(*), 1))::integer)) AS rows
            FROM event_devices
        ), span AS (
            SELECT min(f.ts) AS first, max(l.ts) AS last
            FROM event_devices d
            CROSS JOIN LATERAL (
                SELECT ts FROM positions
                WHERE positions.device_id = d.imei AND NOT positions.faulty
                ORDER BY positions.ts LIMIT 1
            ) AS f
            CROSS JOIN LATERAL (
                SELECT ts FROM positions
                WHERE positions.device_id = d.imei AND NOT positions.faulty
                ORDER BY positions.ts DESC LIMIT 1
            ) AS l
        ), runs AS (
            SELECT d.imei, p.ts, p.latitude, p.longitude, p.altitude, p.angle, p.speed, p.satellites,
                count(*) OVER (PARTITION BY d.imei) AS taken
            FROM event_devices d
            CROSS JOIN LATERAL (
                SELECT ts, latitude, longitude, altitude, angle, speed, satellites
                FROM positions
                WHERE positions.device_id = d.imei AND NOT positions.faulty
                    AND ($2::bigint IS NULL OR positions.ts >= \(PostgresTime.timestamp("$2")))
                    AND ($3::bigint IS NULL OR positions.ts > \(PostgresTime.timestamp("$3"))
                        OR d.imei COLLATE "C" > $4::text)
                    AND ($5::bigint IS NULL OR positions.ts < \(PostgresTime.timestamp("$5")))
                ORDER BY positions.ts
                LIMIT (SELECT rows FROM share)
            ) AS p
        ), cut AS (
            SELECT min(last) AS ts
            FROM (SELECT max(ts) AS last FROM runs WHERE taken >= (SELECT rows FROM share) GROUP BY imei) AS stopped
        ), page AS (
            SELECT runs.*
            FROM runs
            WHERE runs.ts <= coalesce((SELECT ts FROM cut), 'infinity')
            ORDER BY runs.ts, runs.imei COLLATE "C"
            LIMIT $6::integer
        )
        SELECT \(PostgresTime.microseconds("span.first")), \(PostgresTime.microseconds("span.last")),
            (SELECT count(*) FROM page) >= $6::integer OR (SELECT ts FROM cut) IS NOT NULL,
            page.imei, \(PostgresTime.microseconds("page.ts")),
            page.latitude, page.longitude, page.altitude, page.angle, page.speed, page.satellites
        FROM span
        LEFT JOIN page ON true
        ORDER BY page.ts, page.imei COLLATE "C"
        """
}
