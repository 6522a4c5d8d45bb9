import Foundation
import LiveTestClient
import Stages
import Testing

/// live-broadcast end to end: real Redis, PostgreSQL, WebSocket clients and HTTP to the CMS stand-in.
extension Integration {
    @Suite struct LiveBroadcastTests {
        static let t0: Int64 = 1_777_739_812_123_000  // 2026-05-02T16:36:52.123Z

        @Test func upgradesWithoutAValidSessionAreRefused401And503WhenTheCMSIsDown() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast { live, _, cms in
                    #expect(try await live.connect(token: nil).refusedStatus == 401)
                    #expect(try await live.connect(token: "expired").refusedStatus == 401)
                    let accepted = try await live.connect(token: "valid-alice")
                    #expect(accepted.client != nil)
                    await accepted.client?.close()
                    cms.stub.setBehavior(.failing)
                    #expect(try await live.connect(token: "valid-alice").refusedStatus == 503)
                }
            }
        }

        @Test func eachPositionReachesTheSubscribersOfEveryEventOfItsDeviceAndNobodyElse() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast { live, registry, _ in
                    let eventA = try await registry.addEvent(name: "A")
                    let eventB = try await registry.addEvent(name: "B")
                    try await registry.addEntry(event: eventA, devices: ["dev-a", "dev-both"])
                    try await registry.addEntry(event: eventB, devices: ["dev-both"])
                    try await registry.addDevice(imei: "dev-none")
                    try await world.eventually("the map has the registry's devices") {
                        live.service.deviceEvents.map.deviceCount == 2
                    }
                    let (watchesA, receivedA) = try await live.client()
                    let (watchesB, receivedB) = try await live.client()
                    try await watchesA.subscribe(eventA)
                    try await watchesB.subscribe(eventB)
                    #expect(try await receivedA.message(0).type == "subscribed")
                    #expect(try await receivedB.message(0).type == "subscribed")

                    try await world.append([
                        ("dev-none", TestWorld.payload("dev-none", micros: Self.t0)),
                        ("dev-a", TestWorld.payload("dev-a", micros: Self.t0)),
                        ("dev-both", TestWorld.payload("dev-both", micros: Self.t0 + 1000, latitude: -33.5)),
                    ])
                    let toA = try await receivedA.wait(for: 3).dropFirst()
                    let toB = try await receivedB.wait(for: 2).dropFirst()
                    #expect(toA.map(\.deviceID) == ["dev-a", "dev-both"])
                    #expect(toA.allSatisfy { $0.topic == "event:\(eventA)" && $0.type == "position" })
                    #expect(toB.map(\.deviceID) == ["dev-both"])
                    #expect(toB.first?.topic == "event:\(eventB)")
                    // CONTRACT §5: every key present, ts in UTC milliseconds, numbers passed through.
                    let position = try #require(toB.first?.position)
                    #expect(position["ts"] as? String == "2026-05-02T16:36:52.124Z")
                    #expect(position["latitude"] as? Double == -33.5)
                    #expect(position["longitude"] as? Double == 25.279652)
                    #expect(position["altitude"] as? Double == 112)
                    #expect(position["angle"] is NSNull)
                    #expect(position["speed"] as? Double == 43.5)
                    #expect(position["satellites"] as? Int == 11)
                    #expect(
                        Set(position.keys) == [
                            "device_id", "ts", "latitude", "longitude", "altitude", "angle", "speed", "satellites",
                        ]
                    )

                    // Nothing else arrives: a later position of dev-a is the next message of A, none of B.
                    try await world.append([("dev-a", TestWorld.payload("dev-a", micros: Self.t0 + 5000))])
                    #expect(try await receivedA.message(3).ts == "2026-05-02T16:36:52.128Z")
                    #expect(receivedA.count == 4)
                    #expect(receivedB.count == 2)
                    await watchesA.close()
                    await watchesB.close()
                }
            }
        }

        @Test func aSubscribeTheCMSForbidsIsAnErrorAndTheSocketStaysOpen() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast { live, registry, _ in
                    let allowed = try await registry.addEvent()
                    let other = try await registry.addEvent()
                    let (client, received) = try await live.client(token: "events-\(allowed)")
                    try await client.subscribe(other)
                    let refusal = try await received.message(0)
                    #expect(refusal.type == "error" && refusal.code == "forbidden")
                    #expect(refusal.topic == "event:\(other)")
                    try await client.subscribe(allowed)
                    #expect(try await received.message(1).type == "subscribed")
                    await client.close()
                }
            }
        }

        @Test func theSnapshotIsTheTablesLatestNonFaultyPositionOfEveryDeviceOfTheEvent() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast { live, registry, _ in
                    let event = try await registry.addEvent()
                    let elsewhere = try await registry.addEvent()
                    try await registry.addEntry(event: event, devices: ["dev-1", "dev-2", "dev-silent"])
                    try await registry.addEntry(event: elsewhere, devices: ["dev-other"])
                    try await world.postgres.execute(
                        """
                        INSERT INTO positions (device_id, ts, latitude, longitude, altitude, speed, satellites, faulty)
                        VALUES
                          ('dev-1', '2026-05-02T16:00:00.123456Z', 1.25, 2.5, 10, 20.5, 7, false),
                          ('dev-1', '2026-05-02T16:00:01Z', 1.5, 2.75, NULL, NULL, NULL, false),
                          ('dev-1', '2026-05-02T16:00:02Z', 0, 0, NULL, NULL, 0, true),
                          ('dev-2', '2026-05-02T15:00:00Z', -45.125, 170.5, -3.5, 0, 12, false),
                          ('dev-other', '2026-05-02T16:30:00Z', 3, 4, NULL, NULL, NULL, false)
                        """
                    )
                    // What the table says, asked independently of the pipeline's own query.
                    let expected = try await world.postgres.query(
                        """
                        SELECT DISTINCT ON (p.device_id) p.device_id,
                               to_char(p.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), p.latitude
                        FROM positions p
                        JOIN devices d ON d.imei = p.device_id
                        JOIN entry_devices ed ON ed.device_id = d.id
                        JOIN entries e ON e.id = ed.entry_id
                        WHERE e.event_id = $1 AND NOT p.faulty
                        ORDER BY p.device_id, p.ts DESC
                        """,
                        [event]
                    ).rows
                    #expect(expected.map { $0[0] } == ["dev-1", "dev-2"])

                    let (client, received) = try await live.client()
                    try await client.subscribe(event)
                    let subscribed = try await received.message(0)
                    #expect(subscribed.type == "subscribed")
                    let snapshot = try #require(subscribed["snapshot"] as? [[String: Any]])
                    let got = snapshot.map { [$0["device_id"] as? String, $0["ts"] as? String] }
                        .sorted { ($0[0] ?? "") < ($1[0] ?? "") }
                    #expect(got == expected.map { [$0[0], $0[1]] })
                    #expect(
                        snapshot.map { $0["latitude"] as? Double }.sorted { ($0 ?? 0) < ($1 ?? 0) } == [-45.125, 1.5]
                    )
                    let second = try #require(snapshot.first { $0["device_id"] as? String == "dev-2" })
                    #expect(second["altitude"] as? Double == -3.5)
                    #expect(second["satellites"] as? Int == 12)
                    let first = try #require(snapshot.first { $0["device_id"] as? String == "dev-1" })
                    #expect(first["altitude"] is NSNull && first["speed"] is NSNull && first["satellites"] is NSNull)
                    await client.close()
                }
            }
        }

        @Test func olderRepeatedAndMalformedPositionsAreNotSent() async throws {
            try await TestWorld.run { world in
                try await world.withSubscribedClient(device: "dev-1") { _, received in
                    try await world.append([
                        ("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 2000)),
                        ("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 1000)),  // older: a burst
                        ("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 2000)),  // a repeat
                        ("dev-1", "{not json"),
                        ("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 3000)),
                    ])
                    let positions = try await received.wait(for: 3).dropFirst()
                    #expect(positions.map(\.ts) == ["2026-05-02T16:36:52.125Z", "2026-05-02T16:36:52.126Z"])
                    // A marker after them proves nothing else was on its way.
                    try await world.append([("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 9000))])
                    #expect(try await received.message(3).ts == "2026-05-02T16:36:52.132Z")
                    #expect(received.count == 4)
                }
            }
        }

        @Test func faultyPositionsAreNotSent_andDoNotHideALaterGoodOne() async throws {
            try await TestWorld.run { world in
                try await world.withSubscribedClient(device: "dev-1") { _, received in
                    let second: Int64 = 1_000_000
                    try await world.append([
                        ("dev-1", TestWorld.payload("dev-1", micros: Self.t0)),
                        // Null island, later than the good ones that follow: not sent, and not their newest.
                        ("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 30 * second, latitude: 0, longitude: 0)),
                        // 1.1 km north in 1 s: a jump.
                        ("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 1 * second, latitude: 54.697157)),
                        ("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 2 * second)),
                    ])
                    let positions = try await received.wait(for: 3).dropFirst()
                    #expect(positions.map(\.ts) == ["2026-05-02T16:36:52.123Z", "2026-05-02T16:36:54.123Z"])
                    // A marker after them proves nothing else was on its way.
                    try await world.append([("dev-1", TestWorld.payload("dev-1", micros: Self.t0 + 3 * second))])
                    #expect(try await received.message(3).ts == "2026-05-02T16:36:55.123Z")
                    #expect(received.count == 4)
                }
            }
        }

        @Test func historyIsNeverReplayedNotEvenAfterARestart() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let event = try await registry.addEvent()
                try await registry.addEntry(event: event, devices: ["dev-1"])
                try await world.append([("dev-1", TestWorld.payload("dev-1", micros: Self.t0))])
                try await RunningCMSStub.run { cms in
                    let configuration = world.liveConfiguration(cms: cms.url)
                    for round in 1...2 {
                        let live = try await RunningLiveBroadcast(configuration)
                        let (client, received) = try await live.client()
                        try await client.subscribe(event)
                        #expect(try await received.message(0).type == "subscribed")
                        let fresh = Self.t0 + Int64(round) * 1_000_000
                        try await world.append([("dev-1", TestWorld.payload("dev-1", micros: fresh))])
                        let position = try await received.message(1)
                        #expect(position.ts == Timestamp.format(fresh, precision: .milliseconds))
                        await client.close()
                        try await live.stop()
                        // Appended while no instance runs: skipped at the next start.
                        try await world.append([("dev-1", TestWorld.payload("dev-1", micros: fresh + 500_000))])
                    }
                }
            }
        }

        @Test func aClientThatStopsReadingIsCoalescedThenClosedWhileAFastOneReceivesEveryPosition() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast(configure: {
                    $0.pipelines.liveBroadcast.clientQueue = 16
                    $0.pipelines.liveBroadcast.slowClientTimeout = .milliseconds(500)
                }) { live, registry, _ in
                    let event = try await registry.addEvent()
                    // 64-byte ids (the contract's longest) make big frames, so the slow socket fills sooner;
                    // fewer devices than `client_queue`, so waiting positions are replaced, not dropped.
                    let devices = (0..<8).map { "dev-\($0)-" + String(repeating: "x", count: 58 - "\($0)".count) }
                    try await registry.addEntry(event: event, devices: devices)
                    try await world.eventually("the map has the devices") {
                        live.service.deviceEvents.map.deviceCount == devices.count
                    }
                    let (fast, fastReceived) = try await live.client()
                    let (slow, slowReceived) = try await live.client(
                        token: "valid-slow",
                        options: .init(receiveBufferSize: 4096)
                    )
                    try await fast.subscribe(event)
                    try await slow.subscribe(event)
                    #expect(try await fastReceived.message(0).type == "subscribed")
                    #expect(try await slowReceived.message(0).type == "subscribed")
                    try await slow.setReading(false)

                    // Rounds of one position per device, until the server gives up on the slow client.
                    var rounds = 0
                    let closes = "flowrun_live_slow_client_closes_total"
                    let start = ContinuousClock.now
                    while live.metrics.count(closes) == 0 {
                        guard start.duration(to: .now) < .seconds(120) else {
                            Issue.record("the slow client was not closed after \(rounds) rounds")
                            return
                        }
                        let entries = devices.map { device in
                            (device, TestWorld.payload(device, micros: Self.t0 + Int64(rounds) * 1000))
                        }
                        try await world.append(entries)
                        rounds += 1
                        // Paced by the fast client: at most eight rounds (64 frames, about 16 kB, far less than
                        // its socket's buffers) wait for it, so its socket stays writable and its queue never
                        // fills, and the 500 ms deadline cannot start for it however late it is scheduled.
                        let behind = 1 + (rounds - 8) * devices.count
                        try await liveEventually("the fast client received round \(rounds - 8)", within: .seconds(60)) {
                            fastReceived.count >= behind
                        }
                    }
                    #expect(live.metrics.count(closes) == 1)
                    #expect(live.metrics.count("flowrun_live_positions_coalesced_total") > 0)
                    // Reading again, the slow one finds the close frame behind what waited for it.
                    try await slow.setReading(true)
                    let close = await slow.waitUntilClosed()
                    #expect(close?.code == 1008)

                    // The fast client received every position, in order per device.
                    let all = try await fastReceived.wait(for: 1 + rounds * devices.count, within: .seconds(60))
                    for device in devices {
                        let times = all.filter { $0.deviceID == device }.compactMap(\.ts)
                        let expected = (0..<rounds).map {
                            Timestamp.format(Self.t0 + Int64($0) * 1000, precision: .milliseconds)
                        }
                        #expect(times == expected, "\(device.prefix(6)): every position, in order")
                    }
                    #expect(fast.isActive)
                    #expect(slowReceived.count < all.count)
                    await fast.close()
                }
            }
        }
    }
}

extension LiveTestClient.Connection {
    /// The HTTP status of a refused upgrade; nil when it was accepted.
    var refusedStatus: Int? {
        if case .refused(let status, _) = self { return Int(status) }
        return nil
    }
}
