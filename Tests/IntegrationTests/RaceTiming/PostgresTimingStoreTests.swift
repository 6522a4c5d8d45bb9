import Testing

@testable import Stages

/// race-timing's store on the real PostgreSQL: a batch's changes written in one statement, the last change of
/// each row winning, the outbox recording every change in order, and an upsert that changes nothing leaving
/// the row (its `updated_at`) alone.
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
