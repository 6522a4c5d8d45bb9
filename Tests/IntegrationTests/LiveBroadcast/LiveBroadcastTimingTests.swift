import Foundation
import LiveTestClient
import Stages
import Testing

/// live-broadcast's timing (CONTRACT §6.5) end to end: the course, entries and crossings of real PostgreSQL in
/// `subscribed`, then the changes appended to the real `timing:crossings` stream as frames.
extension Integration {
    @Suite struct LiveBroadcastTimingTests {
        @Test func subscribedCarriesTheTablesTimingAndStreamChangesArriveAsCrossingFrames() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast { live, registry, _ in
                    let event = try await registry.addEvent()
                    let untimed = try await registry.addEvent()
                    let entry = try await registry.addEntry(event: event, devices: ["dev-2", "dev-1"])
                    try await world.postgres.query("UPDATE entries SET name = 'Team \"A\"' WHERE id = $1", [entry])
                    let (start, finish) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
                    try await world.postgres.query(
                        """
                        INSERT INTO checkpoints (id, event_id, seq, name, kind, lat1, lon1, lat2, lon2) VALUES
                          ($1, $3, 2, 'Finish', 'finish', 54.75, 25.5, 54.75, 25.625),
                          ($2, $3, 1, 'Start', 'start', 54.5, 25.25, 54.5, 25.375)
                        """,
                        [finish, start, event]
                    )
                    try await world.postgres.query(
                        """
                        INSERT INTO crossings (event_id, entry_id, checkpoint_id, seq, device_id, ts)
                        VALUES ($1, $2, $3, 1, 'dev-1', '2026-05-02T16:36:52.123Z')
                        """,
                        [event, entry, start]
                    )

                    let (client, received) = try await live.client()
                    try await client.subscribe(event)
                    let subscribed = try await received.message(0)
                    #expect(subscribed.type == "subscribed")
                    let course = try #require(subscribed["course"] as? [[String: Any]])
                    #expect(course.map { $0["id"] as? String } == [start, finish], "in seq order")
                    #expect(course.map { $0["kind"] as? String } == ["start", "finish"])
                    #expect(course.first?["lon2"] as? Double == 25.375)
                    let entries = try #require(subscribed["entries"] as? [[String: Any]])
                    #expect(entries.count == 1)
                    #expect(entries.first?["id"] as? String == entry)
                    #expect(entries.first?["name"] as? String == "Team \"A\"")
                    #expect(entries.first?["devices"] as? [String] == ["dev-1", "dev-2"])
                    let crossings = try #require(subscribed["crossings"] as? [[String: Any]])
                    #expect(crossings.count == 1)
                    #expect(crossings.first?["ts"] as? String == "2026-05-02T16:36:52.123Z")
                    #expect(crossings.first?["checkpoint_id"] as? String == start)

                    let counted = CrossingRecord(
                        event: event,
                        entry: entry,
                        checkpoint: finish,
                        seq: 2,
                        device: "dev-2",
                        timestamp: 1_777_739_900_456_000
                    )
                    try await world.append(CrossingChange(.upsert, counted))
                    let crossing = try await received.message(1)
                    #expect(crossing.type == "crossing" && crossing.topic == "event:\(event)")
                    let body = try #require(crossing["crossing"] as? [String: Any])
                    #expect(body["entry_id"] as? String == entry)
                    #expect(body["seq"] as? Int == 2)
                    #expect(body["device_id"] as? String == "dev-2")
                    #expect(body["ts"] as? String == Timestamp.format(counted.timestamp))

                    try await world.append(CrossingChange(.remove, counted))
                    let removed = try await received.message(2)
                    #expect(removed.type == "crossing-removed")
                    #expect(removed["entry_id"] as? String == entry)
                    #expect(removed["checkpoint_id"] as? String == finish)

                    // An event with no checkpoints: an empty course.
                    try await client.subscribe(untimed)
                    let other = try await received.message(3)
                    #expect(other.type == "subscribed" && (other["course"] as? [Any])?.isEmpty == true)
                    #expect((other["entries"] as? [Any])?.isEmpty == true)
                    await client.close()
                }
            }
        }

        @Test func aMalformedTimingEntryIsCountedAndSkipped() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast { live, registry, _ in
                    let event = try await registry.addEvent()
                    let (client, received) = try await live.client()
                    try await client.subscribe(event)
                    #expect(try await received.message(0).type == "subscribed")
                    _ = try await world.redis.send(pipeline: [
                        [
                            "XADD", RedisArgument(world.timingStream), "*", "event_id", RedisArgument(event), "op",
                            "move",
                        ]
                    ])
                    let counted = CrossingRecord(
                        event: event,
                        entry: UUID().uuidString,
                        checkpoint: UUID().uuidString,
                        seq: 1,
                        device: "dev-1",
                        timestamp: 1_777_739_900_456_000
                    )
                    try await world.append(CrossingChange(.upsert, counted))
                    #expect(try await received.message(1).type == "crossing")
                    try await world.eventually("the malformed entry is counted") {
                        live.metrics.count(
                            "flowrun_decode_errors_total",
                            [("pipeline", "live-broadcast-timing"), ("reason", "unknown_op")]
                        ) == 1
                    }
                    #expect(received.count == 2)
                    await client.close()
                }
            }
        }
    }
}
