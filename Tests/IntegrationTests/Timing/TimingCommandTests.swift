import Foundation
import Stages
import Testing

extension Integration {
    /// `flowrun timing recompute` and `flowrun timing standings`, the real binary against the real PostgreSQL
    /// and Redis: a straight drive across a 3-gate course, a gate moved after the race.
    @Suite struct TimingCommandTests {
        /// The field's origin and 2026-05-02T16:00:00Z.
        static let (latitude, longitude) = (54.68, 25.28)
        static let t0 = "2026-05-02T16:00:00Z"
        static let metresPerDegree = FaultRules.earthRadius * .pi / 180

        static func lon(_ east: Double) -> Double {
            longitude + east / (metresPerDegree * cos(latitude * .pi / 180))
        }

        static func lat(_ north: Double) -> Double { latitude + north / metresPerDegree }

        /// A north–south gate `east` metres from the origin, 100 m long.
        static func gate(_ east: Double) -> [String?] {
            ["\(lat(-50))", "\(lon(east))", "\(lat(50))", "\(lon(east))"]
        }

        /// Stores `device`'s fixes, one a second from t0: (east, north) metres, and the stored judgement.
        static func store(
            _ device: String,
            _ fixes: [(east: Double, north: Double, fault: String?)],
            in world: TestWorld
        ) async throws {
            for (second, fix) in fixes.enumerated() {
                try await world.postgres.query(
                    """
                    INSERT INTO positions (device_id, ts, latitude, longitude, satellites, faulty, fault, received_at)
                    VALUES ($1, $2::timestamptz + $3::integer * interval '1 second', $4, $5, 10, $6, $7,
                        $2::timestamptz + $3::integer * interval '1 second')
                    """,
                    [
                        device, Self.t0, "\(second)", "\(lat(fix.north))", "\(lon(fix.east))",
                        fix.fault == nil ? "f" : "t", fix.fault,
                    ]
                )
            }
        }

        /// Each row of the event's `crossings`: entry name, seq, device, time of day (ms).
        static func rows(_ event: String, _ world: TestWorld) async throws -> [[String?]] {
            try await world.postgres.query(
                """
                SELECT e.name, c.seq::text, c.device_id, to_char(c.ts AT TIME ZONE 'UTC', 'HH24:MI:SS.MS')
                FROM crossings c JOIN entries e ON e.id = c.entry_id
                WHERE c.event_id = $1 ORDER BY e.name, c.seq
                """,
                [event]
            ).rows
        }

        /// The changes the crossings stream holds, in order.
        static func streamed(_ world: TestWorld) async throws -> [CrossingChange] {
            let reply = try await world.redis.send(["XRANGE", RedisArgument(world.timingStream), "-", "+"])
            return try (reply.array ?? []).map { item in
                let values = item.array?[1].array ?? []
                let fields = stride(from: 0, to: values.count - 1, by: 2).map { index in
                    StreamEntry.Field(
                        name: values[index].string ?? "",
                        value: Array((values[index + 1].string ?? "").utf8)
                    )
                }
                let entry = StreamEntry(id: StreamID(item.array?[0].string ?? "0-0")!, fields: fields)
                return try CrossingChange.decode(entry).get()
            }
        }

        /// Runs `flowrun`; its output with each run of spaces made one (columns are padded).
        static func flowrun(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            let process = try FlowrunProcess(arguments: arguments)
            let status = await process.waitForExit()
            return (status, process.output.replacing(#/ +/#, with: " "))
        }

        @Test func recomputeWritesTheCrossings_appliesAMovedGate_andStandingsPrintsTheOrder() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let event = try await registry.addEvent()
                let alpha = try await registry.addEntry(event: event, devices: ["dev-1"])
                let bravo = try await registry.addEntry(event: event, devices: ["dev-2"])
                let charlie = try await registry.addEntry(event: event, devices: ["dev-3"])
                for (entry, name) in [(alpha, "Alpha"), (bravo, "Bravo"), (charlie, "Charlie")] {
                    try await world.postgres.query("UPDATE entries SET name = $2 WHERE id = $1", [entry, name])
                }
                for (seq, name, kind, east) in [
                    (1, "Start", "start", 0.0), (2, "Split", "split", 100), (3, "Finish", "finish", 200),
                ] {
                    try await world.postgres.query(
                        """
                        INSERT INTO checkpoints (id, event_id, seq, name, kind, lat1, lon1, lat2, lon2)
                        VALUES ($1, $2, $3::integer, $4, $5, $6, $7, $8, $9)
                        """,
                        [UUID().uuidString.lowercased(), event, "\(seq)", name, kind] + Self.gate(east)
                    )
                }
                // Alpha at 10 m/s from −15 m: gates at 1.5 s, 11.5 s, 21.5 s. Its fix at 5 s was judged a jump
                // on arrival (wrongly); the one at 8 s, a kilometre off, was not (wrongly).
                try await Self.store(
                    "dev-1",
                    (0...23).map { second in
                        let east = -15 + 10 * Double(second)
                        switch second {
                        case 5: return (east, 0, "jump")
                        case 8: return (east, 1_000, nil)
                        default: return (east, 0, nil)
                        }
                    },
                    in: world
                )
                // Bravo at 5 m/s from −7.5 m: gates at 1.5 s, 21.5 s, 41.5 s.
                try await Self.store("dev-2", (0...43).map { (-7.5 + 5 * Double($0), 0, nil) }, in: world)
                let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "timing-\(world.database).yaml"
                )
                try """
                instance: timing-test
                redis:
                  url: \(world.servers.redisURL)
                postgres:
                  url: \(world.databaseURL)
                pipelines:
                  race-timing:
                    enabled: false
                    crossings_stream: \(world.timingStream)
                """.write(to: file, atomically: true, encoding: .utf8)

                let first = try await Self.flowrun(["timing", "recompute", "--event", event, file.path])
                #expect(first.status == 0, "output:\n\(first.output)")
                #expect(first.output.contains("6 crossings changed, 2 of 68 positions re-judged"), "\(first.output)")
                #expect(first.output.contains("not faulty → jump: 1, jump → not faulty: 1"), "\(first.output)")
                #expect(
                    first.output.contains("Alpha Split (seq 2) new → 2026-05-02T16:00:11.500Z"),
                    "\(first.output)"
                )
                let computed: [[String?]] = [
                    ["Alpha", "1", "dev-1", "16:00:01.500"], ["Alpha", "2", "dev-1", "16:00:11.500"],
                    ["Alpha", "3", "dev-1", "16:00:21.500"], ["Bravo", "1", "dev-2", "16:00:01.500"],
                    ["Bravo", "2", "dev-2", "16:00:21.500"], ["Bravo", "3", "dev-2", "16:00:41.500"],
                ]
                #expect(try await Self.rows(event, world) == computed)
                let streamed = try await Self.streamed(world)
                #expect(streamed.count == 6 && streamed.allSatisfy { $0.operation == .upsert })
                #expect(Set(streamed.map(\.crossing.event)) == [event])
                let judged = try await world.postgres.query(
                    "SELECT extract(epoch FROM ts - $1::timestamptz)::int::text, fault FROM positions WHERE faulty",
                    [Self.t0]
                ).rows
                #expect(judged == [["8", "jump"]])

                // The organiser moves the split to 50 m after the race.
                try await world.postgres.query(
                    "UPDATE checkpoints SET lat1 = $2, lon1 = $3, lat2 = $4, lon2 = $5 WHERE event_id = $1 AND seq = 2",
                    [event] + Self.gate(50)
                )
                let moved = try await Self.flowrun(["timing", "recompute", "--event", event, file.path])
                #expect(moved.status == 0, "output:\n\(moved.output)")
                #expect(moved.output.contains("2 crossings changed, 0 of 68 positions re-judged"), "\(moved.output)")
                #expect(
                    moved.output.contains(
                        "Alpha Split (seq 2) 2026-05-02T16:00:11.500Z → 2026-05-02T16:00:06.500Z"
                    ),
                    "\(moved.output)"
                )
                #expect(
                    moved.output.contains(
                        "Bravo Split (seq 2) 2026-05-02T16:00:21.500Z → 2026-05-02T16:00:11.500Z"
                    ),
                    "\(moved.output)"
                )
                var expected = computed
                expected[1][3] = "16:00:06.500"
                expected[4][3] = "16:00:11.500"
                #expect(try await Self.rows(event, world) == expected)
                let after = try await Self.streamed(world)
                #expect(after.count == 8)
                #expect(after.suffix(2).map(\.crossing.seq) == [2, 2])

                let again = try await Self.flowrun(["timing", "recompute", "--all", file.path])
                #expect(again.status == 0 && again.output.contains("nothing changed (68 positions judged)"))
                #expect(try await Self.streamed(world).count == 8, "an unchanged result appends nothing")

                let standings = try await Self.flowrun(["timing", "standings", "--event", event, file.path])
                #expect(standings.status == 0, "output:\n\(standings.output)")
                let lines = standings.output.split(separator: "\n").map(String.init)
                let table = Array(lines.drop { !$0.hasPrefix("place") })
                #expect(
                    table == [
                        "place entry checkpoints last elapsed gap",
                        "1 Alpha 3/3 Finish 0:00:20.000 leader",
                        "2 Bravo 3/3 Finish 0:00:40.000 +0:00:20.000",
                        "- Charlie 0/3 - - -",
                    ],
                    "\(standings.output)"
                )

                // A course broken in the CMS: reported with its reason, exit status 1.
                try await world.postgres.query(
                    "UPDATE checkpoints SET kind = 'split' WHERE event_id = $1 AND seq = 3",
                    [event]
                )
                let broken = try await Self.flowrun(["timing", "recompute", "--event", event, file.path])
                #expect(broken.status != 0)
                #expect(broken.output.contains("checkpoint seq 3 is a 'split'"), "\(broken.output)")
                _ = try await world.redis.send(["DEL", RedisArgument(world.timingStream)])
            }
        }
    }
}
