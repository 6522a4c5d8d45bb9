import Testing

@testable import Stages

/// The writer's two paths on the real PostgreSQL: `COPY` for positions marked newest, `INSERT … ON
/// CONFLICT DO NOTHING` for the others, and the fall-back when a position marked newest is stored already.
extension Integration {
    @Suite struct PositionWriterTests {
        private func entry(_ device: String, _ second: Int64, newest: Bool, speed: Double? = 12.5) -> PositionEntry {
            PositionEntry(
                entryID: StreamID(milliseconds: UInt64(second), sequence: 0),
                position: Position(
                    deviceID: device,
                    timestamp: 1_777_739_812_000_000 + second * 1_000_000,
                    latitude: 54.5 + Double(second) / 1024,
                    longitude: 25.25,
                    altitude: nil,
                    angle: 90,
                    speed: speed,
                    satellites: 9,
                    priority: nil,
                    attributes: [16: .number("77033"), 239: .bigint("1")]
                ),
                isNewest: newest
            )
        }

        private func judged(_ second: Int64, newest: Bool, _ fault: Fault?) -> PositionEntry {
            var entry = self.entry("356307042441013", second, newest: newest)
            entry.fault = fault
            return entry
        }

        private func judgements(_ world: TestWorld) async throws -> [[String?]] {
            try await world.postgres.query("SELECT faulty, fault FROM positions ORDER BY ts").rows
        }

        private func stored(_ world: TestWorld) async throws -> [[String?]] {
            try await world.postgres.query(
                """
                SELECT device_id, (extract(epoch FROM ts) * 1000000)::bigint, latitude, altitude, angle, speed,
                       satellites, priority, attributes::text
                FROM positions ORDER BY device_id, ts
                """
            ).rows
        }

        @Test func newestByCopyAndOthersByInsertStoreTheSameRowsAsTheInsertAlone() async throws {
            try await TestWorld.run { world in
                let pool = PostgresPool(url: world.databaseURL, size: 1, name: "test-writer")
                defer { Task { await pool.close() } }
                let writer = PositionWriter(pool: pool)
                // Newest and not, interleaved; one position twice in the batch (once as newest).
                let batch = [
                    self.entry("356307042441013", 2, newest: true),
                    self.entry("356307042441013", 1, newest: false),
                    self.entry("356307042441014", 1, newest: true, speed: nil),
                    self.entry("356307042441013", 2, newest: false),
                ]
                #expect(try await writer.write(batch) == .init(inserted: 3, duplicates: 1))
                let viaCopy = try await self.stored(world)

                // The same batch as nobody's newest: written by the INSERT alone, the same rows.
                try await world.postgres.execute("TRUNCATE positions")
                let plain = batch.map { entry in
                    var entry = entry
                    entry.isNewest = false
                    return entry
                }
                #expect(try await writer.write(plain) == .init(inserted: 3, duplicates: 1))
                #expect(try await self.stored(world) == viaCopy)
                #expect(viaCopy.count == 3)
                #expect(viaCopy.first?[8] == #"{"16": 77033, "239": "1"}"#)
            }
        }

        @Test func theJudgementIsStoredOnBothPaths_andTheFirstStoredWins() async throws {
            try await TestWorld.run { world in
                let pool = PostgresPool(url: world.databaseURL, size: 1, name: "test-writer")
                defer { Task { await pool.close() } }
                let writer = PositionWriter(pool: pool)
                // By COPY (newest) and by INSERT (the others), faulty or not.
                let batch = [
                    self.judged(1, newest: false, .jump), self.judged(2, newest: false, nil),
                    self.judged(3, newest: true, .fewSatellites), self.judged(4, newest: true, nil),
                ]
                let first = try await writer.write(batch)
                #expect(first == WriteOutcome(inserted: 4, duplicates: 0))
                let stored: [[String?]] = [["t", "jump"], ["f", nil], ["t", "few-satellites"], ["f", nil]]
                let judgedFirst = try await self.judgements(world)
                #expect(judgedFirst == stored)
                // Each judged the other way when it arrives again: a duplicate changes nothing.
                let again = [
                    self.judged(1, newest: false, nil), self.judged(2, newest: false, .future),
                    self.judged(3, newest: true, nil), self.judged(4, newest: true, .nullIsland),
                ]
                let second = try await writer.write(again)
                #expect(second == WriteOutcome(inserted: 0, duplicates: 4))
                let judgedAgain = try await self.judgements(world)
                #expect(judgedAgain == stored)
            }
        }

        /// CONTRACT §1: two records of one `(device_id, ts)` are the same position, and the first one stored
        /// wins. Within one batch that is the first in the batch, on each of the writer's three paths: `COPY`
        /// then `INSERT` (the first marked newest), `INSERT` alone (neither newest), and the fall-back after
        /// the `COPY` met the repeat (both marked newest).
        @Test func twoDifferingRecordsOfOnePositionInOneBatch_theFirstIsStored_onEveryPath() async throws {
            try await TestWorld.run { world in
                let pool = PostgresPool(url: world.databaseURL, size: 1, name: "test-writer")
                defer { Task { await pool.close() } }
                let writer = PositionWriter(pool: pool)
                let paths: [(device: String, newest: (Bool, Bool))] = [
                    ("copy-then-insert", (true, false)), ("insert-alone", (false, false)),
                    ("fall-back", (true, true)),
                ]
                for path in paths {
                    let first = self.entry(path.device, 7, newest: path.newest.0, speed: 10)
                    let second = self.entry(path.device, 7, newest: path.newest.1, speed: 99)
                    #expect(try await writer.write([first, second]) == .init(inserted: 1, duplicates: 1), "\(path)")
                }
                let speeds = try await world.postgres.query("SELECT device_id, speed FROM positions ORDER BY 1").rows
                #expect(speeds == [["copy-then-insert", "10"], ["fall-back", "10"], ["insert-alone", "10"]])
            }
        }

        @Test func aPositionMarkedNewestButStoredAlreadyIsADuplicateNotAnError() async throws {
            try await TestWorld.run { world in
                let pool = PostgresPool(url: world.databaseURL, size: 1, name: "test-writer")
                defer { Task { await pool.close() } }
                let writer = PositionWriter(pool: pool)
                // Stored by "another instance".
                #expect(try await writer.write([self.entry("356307042441013", 5, newest: false)]).inserted == 1)

                // This instance has not seen the device: everything is newest to it, one is stored already.
                let batch = [
                    self.entry("356307042441013", 4, newest: true),
                    self.entry("356307042441013", 5, newest: true),
                    self.entry("356307042441013", 6, newest: true),
                ]
                #expect(try await writer.write(batch) == .init(inserted: 2, duplicates: 1))
                let times = try await self.stored(world).map { $0[1] }
                #expect(times.count == 3)
                // Nothing half-written: the whole batch went through the fall-back, once.
                #expect(try await writer.write(batch) == .init(inserted: 0, duplicates: 3))
            }
        }
    }
}
