import Flow
import Foundation
import Pipelines
import Stages
import Testing

/// durable-write against real Redis and PostgreSQL (scripts/services.sh).
extension Integration {
    @Suite struct DurableWriteTests {
        @Test func contractExample_isStoredAsTheContractSays() async throws {
            try await TestWorld.run { world in
                let running = try RunningDurableWrite(world.configuration())
                try await world.append([("356307042441013", contractExample)])
                try await world.eventually("the row is stored and acknowledged") {
                    let rows = try await world.rowCount()
                    let pending = try await world.pendingCount()
                    return rows == 1 && pending == 0
                }
                try await running.stop()
                let row = try await world.postgres.query(
                    """
                    SELECT device_id, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), latitude, longitude,
                           altitude, angle, speed, satellites, priority,
                           attributes = '{"16":"18446744073709551615","66":12870,"239":1,"385":"AQIDBA=="}'::jsonb,
                           attributes::text, faulty, received_at > now() - interval '5 minutes'
                    FROM positions
                    """
                ).rows[0]
                #expect(
                    row == [
                        "356307042441013", "2026-05-02T16:36:52.123000", "54.687157", "25.279652", "112", "270", "43",
                        "11",
                        "0",
                        "t", #"{"16": "18446744073709551615", "66": 12870, "239": 1, "385": "AQIDBA=="}"#, "f", "t",
                    ]
                )
                #expect(running.service.stats.inserted == 1)
            }
        }

        @Test func faultyPositions_areStoredWithTheirFault_judgedOnArrival() async throws {
            try await TestWorld.run { world in
                let t0: Int64 = 1_777_739_812_123_000  // 2026-05-02T16:36:52.123Z
                let second: Int64 = 1_000_000
                let device = "356307042441013"
                let position = { (micros: Int64, latitude: Double, longitude: Double, satellites: Int) in
                    """
                    {"device_id":"\(device)","timestamp":"\(Timestamp.format(micros, precision: .microseconds))",\
                    "latitude":\(latitude),"longitude":\(longitude),"satellites":\(satellites)}
                    """
                }
                let ahead = Int64(Date().timeIntervalSince1970 * 1_000_000) + 3600 * second
                let payloads = [
                    position(t0, 54.687157, 25.279652, 11),
                    position(t0 + 10 * second, 54.687157, 25.279652, 3),  // few-satellites
                    position(t0 + 20 * second, 0, 0, 11),  // null-island
                    position(ahead, 54.687157, 25.279652, 11),  // future: an hour ahead of the clock
                    position(t0 + 2 * second, 54.707157, 25.279652, 11),  // 2.2 km in 2 s: jump
                    position(t0 + 1 * second, 54.687257, 25.279652, 11),  // late, 11 m from t0: good
                ]
                try await world.append(payloads.map { (device, $0) })
                let running = try RunningDurableWrite(world.configuration())
                try await world.waitUntilStoredAndAcknowledged(rows: payloads.count)
                try await running.stop()
                let rows = try await world.postgres.query(
                    "SELECT (extract(epoch FROM ts) * 1000000)::bigint, faulty, fault FROM positions ORDER BY ts"
                ).rows
                #expect(
                    rows == [
                        ["\(t0)", "f", nil],
                        ["\(t0 + 1 * second)", "f", nil],
                        ["\(t0 + 2 * second)", "t", "jump"],
                        ["\(t0 + 10 * second)", "t", "few-satellites"],
                        ["\(t0 + 20 * second)", "t", "null-island"],
                        ["\(ahead)", "t", "future"],
                    ]
                )
            }
        }

        @Test func duplicatesAndOutOfOrder_everyPositionStoredOnce_countsExact() async throws {
            try await TestWorld.run { world in
                var options = TrackSimulator.Options()
                options.devices = 20
                options.duplicates = 0.05
                options.outOfOrder = 0.05
                options.seed = 7
                let entries = try await world.appendSimulated(options, count: 3_000)
                let unique = distinctPositions(entries)
                #expect(entries.contains { $0.kind == .late }, "the simulator must produce out-of-order entries")
                #expect(entries.contains { $0.kind == .duplicate }, "the simulator must produce duplicates")
                let running = try RunningDurableWrite(world.configuration())
                try await world.eventually("every entry is acknowledged") {
                    let pending = try await world.pendingCount()
                    return pending == 0
                        && running.service.stats.inserted + running.service.stats.duplicates == entries.count
                }
                try await running.stop()
                #expect(try await world.rowCount() == unique)
                #expect(running.service.stats.inserted == unique)
                #expect(running.service.stats.duplicates == entries.count - unique)
                let distinct = try await world.postgres.query("SELECT count(DISTINCT (device_id, ts)) FROM positions")
                    .rows[
                        0
                    ][0]
                #expect(distinct == String(unique))
            }
        }

        /// CONTRACT §1, "the first one stored wins", across two instances: one stores a record and stops; the
        /// other, meeting a differing record of the same position later, counts it a duplicate and leaves the row.
        @Test func aDifferingRecordOfAStoredPosition_atAnotherInstance_isADuplicate_theFirstStays() async throws {
            try await TestWorld.run { world in
                let device = "356307042441013"
                try await world.append([(device, payload(device, latitude: "54.1"))])
                let one = try RunningDurableWrite(world.configuration(instance: "node-1"))
                try await world.waitUntilStoredAndAcknowledged(rows: 1)
                try await one.stop()

                let two = try RunningDurableWrite(world.configuration(instance: "node-2"))
                try await world.append([(device, payload(device, latitude: "-12.75"))])
                try await world.eventually("the second record is handled as a duplicate") {
                    let pending = try await world.pendingCount()
                    return two.service.stats.duplicates == 1 && pending == 0
                }
                try await two.stop()
                #expect(two.service.stats.inserted == 0)
                #expect(try await world.postgres.query("SELECT latitude FROM positions").rows == [["54.1"]])
            }
        }

        @Test func malformedEntries_goToTheDeadLetterStreamAfterMaxDeliveries_withTheirReason() async throws {
            try await TestWorld.run { world in
                let device = "356307042441013"
                let malformed: [(name: String, payload: String, code: String)] = [
                    ("not JSON", "{\"device_id\":", "not_json"),
                    ("latitude out of range", payload(device, latitude: "91.5"), "out_of_range"),
                    ("impossible date", payload(device, timestamp: "2026-02-30T10:00:00Z"), "invalid_timestamp"),
                    ("device mismatch", payload("999", latitude: "54.1"), "device_id_mismatch"),
                    ("unknown tag", payload(device, attributes: #"{"7":{"$date":"x"}}"#), "unknown_tag"),
                    (
                        "missing longitude",
                        #"{"device_id":"\#(device)","timestamp":"2026-05-02T16:36:52Z","latitude":54.1}"#,
                        "missing_field"
                    ),
                ]
                let ids = try await world.append(malformed.map { (device, $0.payload) } + [(device, contractExample)])
                var configuration = world.configuration()
                configuration.pipelines.durableWrite.maxDeliveries = 3
                let running = try RunningDurableWrite(configuration)
                try await world.eventually("every malformed entry is dead-lettered") {
                    let dead = try await world.deadLetters().count
                    let pending = try await world.pendingCount()
                    return dead == malformed.count && pending == 0
                }
                try await running.stop()
                let dead = try await world.deadLetters()
                #expect(dead.map { $0["entry_id"] } == Array(ids.prefix(malformed.count)))
                for (letter, expected) in zip(dead, malformed) {
                    #expect(letter["deliveries"] == "3", "\(expected.name)")
                    #expect(letter["field:payload"] == expected.payload, "\(expected.name)")
                    #expect(letter["field:device_id"] == device, "\(expected.name)")
                    #expect(
                        letter["reason"]?.contains(letter["entry_id"]!) == true,
                        "the reason names the entry: \(letter)"
                    )
                    #expect(letter["code"] == expected.code, "\(expected.name): \(letter["reason"] ?? "")")
                }
                #expect(try await world.rowCount() == 1, "the good entry is stored, the malformed ones never are")
            }
        }

        /// Every decode error code (CONTRACT §1's malformed kinds, `DecodeError.Reason.code`) reaches the
        /// dead-letter stream with that code, and no row is written for any of them.
        @Test func everyDecodeErrorCode_reachesTheDeadLetterStream() async throws {
            try await TestWorld.run { world in
                let examples = MalformedExamples.all
                #expect(Set(examples.map(\.code)).count == MalformedExamples.codeCount, "one example of each code")
                for example in examples {
                    let entry = StreamEntry(
                        id: StreamID(milliseconds: 1, sequence: 0),
                        fields: example.fields.map { .init(name: $0.name, value: $0.value) }
                    )
                    guard case .failure(let error) = PositionDecoder.decode(entry) else {
                        Issue.record("\(example.code): the example decodes")
                        continue
                    }
                    #expect(error.reason.code == example.code, "the example of \(example.code)")
                    #expect(MalformedExamples.isListed(error.reason))
                }
                let ids = try await world.redis.send(
                    pipeline: examples.map { example in
                        ["XADD", RedisArgument(world.stream), "*"]
                            + example.fields.flatMap { [RedisArgument($0.name), RedisArgument(bytes: $0.value)] }
                    }
                ).map(\.string)
                var configuration = world.configuration()
                configuration.pipelines.durableWrite.maxDeliveries = 1
                let running = try RunningDurableWrite(configuration)
                try await world.eventually("every example is dead-lettered and acknowledged") {
                    let dead = try await world.deadLetters().count
                    let pending = try await world.pendingCount()
                    return dead == examples.count && pending == 0
                }
                try await running.stop()
                let dead = try await world.deadLetters()
                #expect(dead.map { $0["entry_id"] } == ids)
                #expect(dead.map { $0["code"] } == examples.map(\.code))
                #expect(try await world.rowCount() == 0)
            }
        }

        @Test func aMalformedEntryIsDeadLettered_whileNewMalformedEntriesKeepArriving() async throws {
            // Claiming pages through the pending list; with new idle entries at its end at every look, the
            // pages must still come back to the older ones, or these never reach max_deliveries.
            try await TestWorld.run { world in
                let device = "356307042441013"
                let first = try await world.append([(device, "{\"device_id\":")])[0]
                var configuration = world.configuration()
                configuration.pipelines.durableWrite.maxDeliveries = 3
                let running = try RunningDurableWrite(configuration)
                var appended = 1
                try await world.eventually("the first malformed entry is dead-lettered", within: .seconds(30)) {
                    // One more malformed entry every 100 ms: claims look every claim_idle / 2 (150 ms).
                    _ = try await world.append([(device, payload(device, latitude: "91.5"))])
                    appended += 1
                    try await Task.sleep(for: .milliseconds(100))
                    return try await world.deadLetters().contains { $0["entry_id"] == first }
                }
                try await world.eventually("every malformed entry is dead-lettered") {
                    let dead = try await world.deadLetters().count
                    let pending = try await world.pendingCount()
                    return dead == appended && pending == 0
                }
                try await running.stop()
                let dead = try await world.deadLetters()
                #expect(dead.allSatisfy { $0["deliveries"] == "3" })
                #expect(Set(dead.compactMap { $0["entry_id"] }).count == appended)
            }
        }
    }
}

func payload(
    _ device: String,
    timestamp: String = "2026-05-02T16:36:52Z",
    latitude: String = "54.1",
    attributes: String = "{}"
)
    -> String
{
    #"{"device_id":"\#(device)","timestamp":"\#(timestamp)","latitude":\#(latitude),"longitude":25.1,"attributes":\#(attributes)}"#
}
