import Foundation
import Stages
import Testing

extension Integration {
    /// The replay's pages of an event's stored positions (``PostgresSnapshots`` as ``LivePositionHistory``),
    /// against the real PostgreSQL.
    @Suite struct PostgresReplayTests {
        func micros(_ iso: String) throws -> Int64 { try Timestamp.parse(iso) }

        @Test func pagesFollowingTheCursor_giveEachNonFaultyPositionOfTheEventsDevicesOnce_inTsThenDeviceOrder()
            async throws
        {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                let other = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: ["a", "b"])
                try await registry.addEntry(event: race, devices: ["a:spare", "a"])  // "a" listed twice
                try await registry.addEntry(event: other, devices: ["c"])
                // Seconds 0–9 of devices a and b (same ts: ties), every third of a's faulty, a spare at odd
                // seconds, another event's device and one in no event at every second.
                try await world.postgres.execute(
                    """
                    INSERT INTO positions (device_id, ts, latitude, longitude, speed, faulty)
                    SELECT d, timestamptz '2026-05-02 16:00:00.000250Z' + s * interval '1 second', 54 + s / 1000.0, 25,
                        CASE WHEN s % 2 = 0 THEN 30.5 END, d = 'a' AND s % 3 = 0
                    FROM unnest(ARRAY['a', 'b', 'a:spare', 'c', 'z']) AS d, generate_series(0, 9) AS s
                    WHERE d <> 'a:spare' OR s % 2 = 1;
                    """
                )
                let history = PostgresSnapshots(connection: world.postgres)
                var expected: [String] = []
                for second in 0...9 {
                    if second % 3 != 0 { expected.append("a@\(second)") }
                    if second % 2 == 1 { expected.append("a:spare@\(second)") }
                    expected.append("b@\(second)")
                }
                let base = try self.micros("2026-05-02T16:00:00.000250Z")
                let name = { (position: LivePosition) in
                    "\(position.deviceID)@\((position.timestamp - base) / 1_000_000)"
                }

                // Every page of 4 after the previous one's last position: all of them once, in order.
                var query = LiveReplayQuery(limit: 4)
                var seen: [String] = []
                var pages = 0
                while pages < 40 {
                    let page = try await history.positions(event: race, query: query)
                    pages += 1
                    #expect(page.first == base, "b's first (a's is faulty)")
                    #expect(page.last == base + 9_000_000)
                    #expect(page.positions.count <= 4)
                    seen += page.positions.map(name)
                    guard page.more, let last = page.positions.last else { break }
                    query.after = .init(timestamp: last.timestamp, deviceID: last.deviceID)
                }
                #expect(seen == expected)

                // From an instant (inclusive) until another (exclusive), exact to the microsecond.
                let window = try await history.positions(
                    event: race,
                    query: LiveReplayQuery(from: base + 4_000_000, until: base + 6_000_000, limit: 100)
                )
                #expect(window.positions.map(name) == ["a@4", "b@4", "a@5", "a:spare@5", "b@5"])
                let justAfter = try await history.positions(
                    event: race,
                    query: LiveReplayQuery(from: base + 4_000_001, until: base + 5_000_001, limit: 100)
                )
                #expect(justAfter.positions.map(name) == ["a@5", "a:spare@5", "b@5"])
                // The values as stored (the snapshot's reading of a row).
                let b0 = try #require(
                    try await history.positions(event: race, query: LiveReplayQuery(limit: 1)).positions.first
                )
                #expect(b0 == LivePosition(deviceID: "b", timestamp: base, latitude: 54, longitude: 25, speed: 30.5))

                // An event without positions: an empty page without a span.
                let empty = try await history.positions(event: try await registry.addEvent(), query: LiveReplayQuery())
                #expect(empty == LiveReplayPage(positions: [], first: nil, last: nil, more: false))
            }
        }

        /// 300 devices × 1,000 s (300,000 rows), 30 of them in the event: a page reads each of the event's
        /// devices from the primary key `(device_id, ts)` from where the page starts, never the table, and only
        /// its share of the page (twice the limit over the devices).
        @Test func aPageReadsThePrimaryKeyPerDeviceFromItsStart_notTheTable() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: (1...30).map { "imei-\($0)" })
                try await world.postgres.execute(
                    """
                    INSERT INTO positions (device_id, ts, latitude, longitude, faulty)
                    SELECT 'imei-' || d, timestamptz '2026-05-02 16:00:00Z' + s * interval '1 second', 54, 25,
                        s % 50 = 7
                    FROM generate_series(1, 300) AS d, generate_series(0, 999) AS s;
                    ANALYZE;
                    """
                )
                let from = try self.micros("2026-05-02T16:10:00Z")
                let parameters: [String?] = [race, "\(from)", "\(from)", "imei-17", nil, "1000"]
                let plan = try await world.postgres.query(
                    "EXPLAIN (ANALYZE, BUFFERS) " + PostgresSnapshots.replayStatement,
                    parameters
                ).rows.map { $0[0] ?? "" }.joined(separator: "\n")
                print("the plan of a replay page (1,000 positions of 30 devices from 300,000 rows):\n\(plan)")
                #expect(plan.contains("Index Scan"), "\(plan)")
                #expect(!plan.contains("Seq Scan on positions") && !plan.contains("Seq Scan on _hyper"), "\(plan)")
                #expect(!plan.contains("Bitmap Heap Scan"), "\(plan)")
                // Each device's scan stops at its share: 2 × 1000 / 30 → 67 rows.
                #expect(plan.contains("rows=67 loops=30"), "\(plan)")

                let page = try await PostgresSnapshots(connection: world.postgres).positions(
                    event: race,
                    query: LiveReplayQuery(from: from, after: .init(timestamp: from, deviceID: "imei-17"), limit: 1000)
                )
                #expect(page.positions.count == 1000)
                // 16:10:00 after imei-17: imei-18 … imei-9 of that second (text order), then the next seconds.
                #expect(page.positions.first?.deviceID == "imei-18")
                #expect(page.positions.allSatisfy { $0.timestamp >= from })
                let ordered = zip(page.positions, page.positions.dropFirst()).allSatisfy {
                    ($0.timestamp, $0.deviceID) < ($1.timestamp, $1.deviceID)
                }
                #expect(ordered)
                #expect(page.first == (try self.micros("2026-05-02T16:00:00Z")))
                #expect(page.last == (try self.micros("2026-05-02T16:16:39Z")))
            }
        }
    }
}
