import Foundation
import Stages
import Testing

extension Integration {
    /// Event snapshots from `positions` and the registry, against the real PostgreSQL.
    @Suite struct PostgresSnapshotsTests {
        /// Stores one position row; `ts` is ISO-8601 with an offset, as PostgreSQL reads it.
        func store(
            _ world: TestWorld,
            _ device: String,
            _ ts: String,
            latitude: Double = 54.687157,
            longitude: Double = 25.279652,
            altitude: Double? = nil,
            angle: Double? = nil,
            speed: Double? = nil,
            satellites: Int? = nil,
            faulty: Bool = false
        ) async throws {
            try await world.postgres.query(
                """
                INSERT INTO positions (device_id, ts, latitude, longitude, altitude, angle, speed, satellites, faulty)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                [
                    device, ts, "\(latitude)", "\(longitude)", altitude.map { "\($0)" }, angle.map { "\($0)" },
                    speed.map { "\($0)" }, satellites.map { "\($0)" }, faulty ? "true" : "false",
                ]
            )
        }

        func micros(_ iso: String) throws -> Int64 { try Timestamp.parse(iso) }

        @Test func latestNonFaultyPositionOfEachDeviceOfTheEvent() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                let other = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: ["a", "b"])
                try await registry.addEntry(event: race, devices: ["a", "silent", "broken"])  // "a" listed twice
                try await registry.addEntry(event: other, devices: ["c"])
                try await self.store(world, "a", "2026-05-02T16:00:00Z")
                try await self.store(world, "a", "2026-05-02T16:00:02Z")
                try await self.store(world, "a", "2026-05-02T16:00:03Z", faulty: true)  // newest, but faulty
                try await self.store(world, "a", "2026-05-02T16:00:01Z")
                try await self.store(world, "b", "2026-05-02T15:00:00Z")
                try await self.store(world, "c", "2026-05-02T17:00:00Z")  // another event's device
                try await self.store(world, "d", "2026-05-02T17:00:00Z")  // in no event
                try await self.store(world, "broken", "2026-05-02T17:00:00Z", faulty: true)  // only faulty rows

                let snapshot = try await PostgresSnapshots(connection: world.postgres).snapshot(event: race)

                #expect(snapshot.map(\.deviceID) == ["a", "b"])
                #expect(
                    snapshot.map(\.timestamp) == [
                        try self.micros("2026-05-02T16:00:02Z"), try self.micros("2026-05-02T15:00:00Z"),
                    ]
                )
                #expect(
                    try await PostgresSnapshots(connection: world.postgres).snapshot(event: other).map(\.deviceID) == [
                        "c"
                    ]
                )
            }
        }

        @Test func eventWithoutDevicesOrUnknownIsEmpty() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                let snapshots = PostgresSnapshots(connection: world.postgres)
                #expect(try await snapshots.snapshot(event: race).isEmpty)
                #expect(try await snapshots.snapshot(event: UUID().uuidString).isEmpty)
            }
        }

        @Test func timestampsAreExactToTheMicrosecond() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                let times = [
                    "2026-05-02T16:36:52.123457Z",
                    "2026-05-02T16:36:59.999999Z",
                    "2026-05-02T16:36:00.000001Z",
                    "1969-12-31T23:59:59.999999Z",
                    "1900-01-01T00:00:00.000001Z",
                    "2999-12-31T23:59:59.999999Z",
                ]
                for (index, time) in times.enumerated() {
                    try await registry.addEntry(event: race, devices: ["device-\(index)"])
                    try await self.store(world, "device-\(index)", time)
                }
                let snapshot = try await PostgresSnapshots(connection: world.postgres).snapshot(event: race)
                #expect(snapshot.map(\.timestamp) == (try times.map(self.micros)))
                #expect(try self.micros("1969-12-31T23:59:59.999999Z") == -1)
            }
        }

        @Test func valuesAreTheColumnsValues() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: ["full", "bare"])
                try await self.store(
                    world,
                    "full",
                    "2026-05-02T16:36:52.123Z",
                    latitude: 54.687157,
                    longitude: -25.279652123456789,
                    altitude: 112.7,
                    angle: 270,
                    speed: 43.1,
                    satellites: 11
                )
                try await self.store(world, "bare", "2026-05-02T16:36:52Z", latitude: -90, longitude: 180)

                let snapshot = try await PostgresSnapshots(connection: world.postgres).snapshot(event: race)

                #expect(
                    snapshot == [
                        LivePosition(
                            deviceID: "bare",
                            timestamp: try self.micros("2026-05-02T16:36:52Z"),
                            latitude: -90,
                            longitude: 180
                        ),
                        LivePosition(
                            deviceID: "full",
                            timestamp: try self.micros("2026-05-02T16:36:52.123Z"),
                            latitude: 54.687157,
                            longitude: -25.279652123456789,
                            altitude: Double(Float(112.7)),
                            angle: 270,
                            speed: Double(Float(43.1)),
                            satellites: 11
                        ),
                    ]
                )
            }
        }

        @Test func poolReadsTheSameSnapshot() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: ["a"])
                try await self.store(world, "a", "2026-05-02T16:00:00.5Z", speed: 10)
                let pool = PostgresPool(url: world.databaseURL, size: 2, name: "test-snapshots")
                let fromPool = try await PostgresSnapshots(pool: pool).snapshot(event: race)
                await pool.close()
                #expect(fromPool == (try await PostgresSnapshots(connection: world.postgres).snapshot(event: race)))
                #expect(fromPool.count == 1)
            }
        }

        @Test func eachDeviceIsReadByABackwardIndexScanNotATableScan() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: (1...100).map { "imei-\($0)" })
                try await world.postgres.execute(
                    """
                    INSERT INTO positions (device_id, ts, latitude, longitude, faulty)
                    SELECT 'imei-' || d, timestamptz '2026-05-02 16:00:00Z' - s * interval '1 second', 54, 25,
                        s % 10 = 0
                    FROM generate_series(1, 300) AS d, generate_series(0, 199) AS s;
                    ANALYZE;
                    """
                )
                let plan = try await world.postgres.query(
                    "EXPLAIN " + PostgresSnapshots.statement,
                    [race]
                ).rows.map { $0[0] ?? "" }.joined(separator: "\n")
                #expect(plan.contains("Index Scan Backward"), "\(plan)")
                #expect(!plan.contains("Seq Scan on positions") && !plan.contains("Seq Scan on _hyper"), "\(plan)")
                let snapshot = try await PostgresSnapshots(connection: world.postgres).snapshot(event: race)
                #expect(snapshot.count == 100)
                #expect(snapshot.allSatisfy { $0.timestamp == (try? self.micros("2026-05-02T15:59:59Z")) })
            }
        }

        @Test func eventThatIsNotAUUIDThrows() async throws {
            try await TestWorld.run { world in
                _ = try await EventRegistryFixture.create(on: world.postgres)
                await #expect(throws: PostgresError.self) {
                    try await PostgresSnapshots(connection: world.postgres).snapshot(event: "not-a-uuid")
                }
            }
        }
    }
}
