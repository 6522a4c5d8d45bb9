import Testing

@testable import Stages

/// race-timing's store on the real PostgreSQL: a batch's changes written in one statement, the last change of
/// each row winning, the outbox recording every change in order, an upsert that changes nothing leaving the
/// row (its `updated_at`) alone, and stored fixes read a page of many devices at a time.
extension Integration {
    @Suite struct PostgresTimingStoreTests {
        static let event = "00000000-0000-4000-8000-00000000e001"

        static func row(
            _ entry: Int,
            _ checkpoint: Int,
            seq: Int,
            ms: Int64,
            device: String = "350000000000001"
        )
            -> CrossingRecord
        {
            CrossingRecord(
                event: event,
                entry: String(format: "00000000-0000-4000-8000-0000000a%04d", entry),
                checkpoint: String(format: "00000000-0000-4000-8000-0000000c%04d", checkpoint),
                seq: seq,
                device: device,
                timestamp: 1_777_737_600_000_000 + ms * 1_000
            )
        }

        @Test func aBatchsLastChangeOfEachRowWins_andTheOutboxRecordsEveryChangeInOrder() async throws {
            try await TestWorld.run { world in
                let store = PostgresTimingStore(connection: world.postgres)
                let (a, b, c) = (
                    Self.row(1, 1, seq: 1, ms: 10), Self.row(1, 2, seq: 2, ms: 20), Self.row(2, 1, seq: 1, ms: 11)
                )
                var cLater = c
                cLater.timestamp += 5_000
                let changes = [
                    CrossingChange(.upsert, a), CrossingChange(.upsert, b), CrossingChange(.remove, a),
                    CrossingChange(.upsert, c), CrossingChange(.upsert, cLater), CrossingChange(.upsert, b),
                ]
                let ids = try await store.apply(changes)
                #expect(ids.count == changes.count && ids == ids.sorted())
                #expect(Set(try await store.storedCrossings(of: Self.event)) == [b, cLater])
                #expect(try await store.unpublished().map(\.change) == changes, "every change, in order")
                try await store.published(ids)
                #expect(try await store.unpublished().isEmpty)
            }
        }

        @Test(arguments: [1, 2, 3, 100])
        func pagesOfManyDevices_giveEachDeviceWhole_inTsOrder_withinTheWindow(limit: Int) async throws {
            try await TestWorld.run { world in
                let store = PostgresTimingStore(connection: world.postgres)
                // Device n has positions from 1 s before the window to n + 1 s in it (1 s apart, stored in reverse);
                // a device id with a quote and a comma, as the array literal must carry any.
                let devices = ["35000000000000\"1", "350000000000002", "3500,00000000003", "350000000000004"]
                let base: Int64 = 1_777_737_600_000_000
                for (n, device) in devices.enumerated() {
                    for second in (-1...(n + 1)).reversed() {
                        _ = try await world.postgres.query(
                            """
                            INSERT INTO positions (device_id, ts, latitude, longitude, satellites, received_at)
                            VALUES ($1, to_timestamp($2::double precision / 1e6), 47.5, 8.5, 9, now())
                            """,
                            [device, "\(base + Int64(second) * 1_000_000)"]
                        )
                    }
                }
                let window = (from: base, to: base + Int64(devices.count - 1) * 1_000_000)
                var reader = StoredFixesReader(devices: devices + ["350000000000009"], groupSize: 3) {
                    names,
                    cursor in
                    try await store.storedFixes(
                        of: names,
                        from: window.from,
                        to: window.to,
                        after: cursor,
                        limit: limit
                    )
                }
                var given: [String: [Int64]] = [:]
                while let run = try await reader.next() {
                    #expect(given[run.device] == nil, "\(run.device) given once")
                    given[run.device] = run.fixes.map(\.timestamp)
                    #expect(run.fixes.allSatisfy { $0.fix.satellites == 9 && $0.fix.latitude == 47.5 })
                }
                for (n, device) in devices.enumerated() {
                    let inWindow = (0...(n + 1)).map { base + Int64($0) * 1_000_000 }.filter { $0 <= window.to }
                    #expect(given[device] == inWindow, "\(device): its positions in the window, in ts order")
                }
                #expect(given["350000000000009"] == [], "a device with nothing stored is given with no fixes")
            }
        }

        @Test func anUpsertThatChangesNothing_leavesTheRowAlone() async throws {
            try await TestWorld.run { world in
                let store = PostgresTimingStore(connection: world.postgres)
                let a = Self.row(1, 1, seq: 1, ms: 10)
                _ = try await store.apply([CrossingChange(.upsert, a)])
                _ = try await world.postgres.query("UPDATE crossings SET updated_at = 'epoch'")
                _ = try await store.apply([
                    CrossingChange(.upsert, a), CrossingChange(.remove, Self.row(9, 9, seq: 1, ms: 0)),
                ])
                let untouched = try await world.postgres.query("SELECT updated_at = 'epoch' FROM crossings").rows
                #expect(untouched == [["t"]])
                var moved = a
                moved.timestamp += 1_000
                _ = try await store.apply([CrossingChange(.upsert, moved)])
                #expect(try await store.storedCrossings(of: Self.event) == [moved])
                let touched = try await world.postgres.query("SELECT updated_at > 'epoch' FROM crossings").rows
                #expect(touched == [["t"]])
            }
        }
    }
}
