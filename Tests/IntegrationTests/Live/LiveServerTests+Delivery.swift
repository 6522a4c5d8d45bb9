import Foundation
import LiveTestClient
import Stages
import Testing

// MARK: Fan-out

extension Integration.LiveServerTests {
    @Test func positionsReachOnlyTheSubscribersOfTheirEventsAndADeviceInTwoEventsReachesBoth() async throws {
        try await LiveTestServer.run { server in
            let (eventA, eventB, eventC) = (LiveTestServer.eventA, LiveTestServer.eventB, LiveTestServer.eventC)
            let (onlyA, receivedA) = try await server.client()
            let (onlyB, receivedB) = try await server.client()
            let (both, receivedBoth) = try await server.client()
            try await onlyA.subscribe(eventA)
            try await onlyB.subscribe(eventB)
            try await both.subscribe(eventA)
            try await both.subscribe(eventB)
            _ = try await receivedA.wait(for: 1)
            _ = try await receivedB.wait(for: 1)
            _ = try await receivedBoth.wait(for: 2)

            let hub = server.server.hub
            hub.publish(livePosition("d1", 1, speed: nil), to: [eventA])
            hub.publish(livePosition("d2", 2), to: [eventA, eventB])
            hub.publish(livePosition("d3", 3), to: [eventC])
            hub.publish(livePosition("d4", 4), to: [eventB])
            hub.publish(livePosition("end", 5), to: [eventA, eventB])

            func positions(_ receiver: LiveReceiver, _ count: Int) async throws -> [String] {
                try await receiver.wait(for: count).filter { $0.type == "position" }.map {
                    "\($0.topic == "event:\(eventA)" ? "A" : "B"):\($0.deviceID ?? "?")"
                }
            }
            #expect(try await positions(receivedA, 4) == ["A:d1", "A:d2", "A:end"])
            #expect(try await positions(receivedB, 4) == ["B:d2", "B:d4", "B:end"])
            #expect(try await positions(receivedBoth, 8) == ["A:d1", "A:d2", "B:d2", "B:d4", "A:end", "B:end"])
            #expect(receivedA.count == 4)
            #expect(receivedB.count == 4)

            // The frame, to the letter: every key present, `null` for what the tracker did not report.
            let text = try #require(receivedA.texts().dropFirst().first)
            #expect(
                text == #"{"type":"position","topic":"event:\#(eventA)","position":{"device_id":"d1","#
                    + #""ts":"2026-05-02T16:36:52.001Z","latitude":47.5009765625,"longitude":8.541694,"#
                    + #""altitude":408,"angle":null,"speed":null,"satellites":9}}"#
            )
        }
    }

    @Test func unsubscribeStopsDeliveryAndSubscribeAndUnsubscribeAreIdempotent() async throws {
        try await LiveTestServer.run { server in
            let (eventA, eventB, eventC) = (LiveTestServer.eventA, LiveTestServer.eventB, LiveTestServer.eventC)
            let hub = server.server.hub
            let (client, received) = try await server.client()
            try await client.subscribe(eventA)
            let first = try await received.message(0)
            #expect((first["snapshot"] as? [Any])?.count == 0)

            // Subscribing again answers `subscribed` with a fresh snapshot, and positions still come once.
            server.snapshots.set([livePosition("d9", 1)], for: eventA)
            try await client.subscribe(eventA)
            let again = try await received.message(1)
            #expect(again.type == "subscribed")
            #expect((again["snapshot"] as? [[String: Any]])?.first?["device_id"] as? String == "d9")
            hub.publish(livePosition("d1", 2), to: [eventA])
            #expect(try await received.message(2).deviceID == "d1")

            try await client.unsubscribe(eventA)
            try await client.unsubscribe(eventA)
            try await client.unsubscribe(eventB)
            let answers = try await received.wait(for: 6)[3..<6]
            #expect(answers.map(\.type) == ["unsubscribed", "unsubscribed", "unsubscribed"])
            #expect(answers.map(\.topic) == ["event:\(eventA)", "event:\(eventA)", "event:\(eventB)"])

            hub.publish(livePosition("d1", 3), to: [eventA])
            try await client.subscribe(eventC)
            #expect(try await received.message(6).type == "subscribed")
            hub.publish(livePosition("marker", 4), to: [eventC, eventA])
            #expect(try await received.message(7).deviceID == "marker")
            // A second marker, published after: anything sent for the first one comes before it.
            hub.publish(livePosition("marker", 5), to: [eventC])
            #expect(try await received.message(8).ts == Timestamp.format(livePosition("marker", 5).timestamp))
            #expect(received.count == 9)
            #expect(server.metrics.values("flowrun_live_subscriptions").last == 1)
        }
    }

    @Test func positionsPublishedWhileTheSnapshotIsReadFollowSubscribedAndNoneIsLost() async throws {
        try await LiveTestServer.run { server in
            let event = LiveTestServer.eventA
            let gate = LiveGate()
            server.snapshots.hold(event, until: gate)
            server.snapshots.set([livePosition("snap", 100)], for: event)
            let (client, received) = try await server.client()
            try await client.subscribe(event)
            try await liveEventually("the snapshot is being read") { server.snapshots.requests(for: event) == 1 }

            let hub = server.server.hub
            for index in 0..<200 { hub.publish(livePosition("d1", index), to: [event]) }
            hub.publish(livePosition("snap", 50), to: [event])  // older than the snapshot's: not sent again
            hub.publish(livePosition("snap", 150), to: [event])
            #expect(received.count == 0)
            gate.open()
            // Nothing published while the snapshot was read went out before it: `subscribed` comes first.

            let messages = try await received.wait(for: 202)
            #expect(messages[0].type == "subscribed")
            #expect((messages[0]["snapshot"] as? [[String: Any]])?.first?["device_id"] as? String == "snap")
            let expected = (0..<200).map { Timestamp.format(livePosition("d1", $0).timestamp) }
            #expect(messages[1...200].map { $0.ts ?? "?" } == expected)
            #expect(messages[201].deviceID == "snap")
            #expect(messages[201].ts == Timestamp.format(livePosition("snap", 150).timestamp))

            hub.publish(livePosition("d1", 200), to: [event])
            #expect(try await received.message(202).deviceID == "d1")
            #expect(received.count == 203)
        }
    }

    @Test func aRefusedSubscribeDropsThePositionsBufferedForIt() async throws {
        try await LiveTestServer.run { server in
            let (eventA, eventB) = (LiveTestServer.eventA, LiveTestServer.eventB)
            let gate = LiveGate()
            server.snapshots.hold(eventA, until: gate)
            server.snapshots.fail(eventA)
            let (client, received) = try await server.client()
            try await client.subscribe(eventA)
            try await liveEventually("the snapshot is being read") { server.snapshots.requests(for: eventA) == 1 }
            for index in 0..<10 { server.server.hub.publish(livePosition("d1", index), to: [eventA]) }
            gate.open()
            let refusal = try await received.message(0)
            #expect(refusal.code == "unavailable")
            #expect(refusal.topic == "event:\(eventA)")

            try await client.subscribe(eventB)
            #expect(try await received.message(1).type == "subscribed")
            server.server.hub.publish(livePosition("marker", 11), to: [eventA, eventB])
            #expect(try await received.message(2).topic == "event:\(eventB)")
            // A second marker, published after: any position still buffered for event A comes before it.
            server.server.hub.publish(livePosition("marker", 12), to: [eventB])
            #expect(try await received.message(3).ts == Timestamp.format(livePosition("marker", 12).timestamp))
            #expect(received.count == 4)
        }
    }

    // MARK: Slow clients

    @Test func aClientThatDoesNotReadIsCoalescedThenClosedWith1008WhileAFastOneGetsEverything() async throws {
        let configure: (inout LiveServer.Configuration) -> Void = { configuration in
            configuration.clientQueue = 16
            configuration.slowClientTimeout = .milliseconds(500)
            // Long enough for the slow client to read its backlog and the close frame at the end of the test.
            configuration.closeTimeout = .seconds(60)
            configuration.writeBufferWaterMark = 1024...4096
        }
        try await LiveTestServer.run(configure) { server in
            let event = LiveTestServer.eventA
            let (fast, fastReceived) = try await server.client()
            let (slow, slowReceived) = try await server.client(options: .init(receiveBufferSize: 4096))
            try await fast.subscribe(event)
            try await slow.subscribe(event)
            _ = try await fastReceived.wait(for: 1)
            _ = try await slowReceived.wait(for: 1)
            try await slow.setReading(false)

            // Long device ids make big frames, so that the slow client's socket fills sooner.
            let devices = (0..<4).map { "device-\($0)-" + String(repeating: "x", count: 300) }
            var published = 0
            let start = ContinuousClock.now
            while server.metrics.count("flowrun_live_slow_client_closes_total") == 0 {
                guard start.duration(to: .now) < .seconds(60) else {
                    Issue.record("the slow client was not closed after \(published) positions")
                    return
                }
                server.server.hub.publish(livePosition(devices[published % 4], published), to: [event])
                published += 1
                // Paced by the fast client: at most 16 frames (under 8 kB, far less than the sockets' buffers)
                // wait for it, so its socket stays writable and the 500 ms deadline cannot start for it
                // however late it is scheduled.
                try await liveEventually("the fast client received position \(published - 16)", within: .seconds(60)) {
                    fastReceived.count >= 1 + published - 16
                }
            }
            #expect(server.metrics.count("flowrun_live_positions_coalesced_total") > 0)

            // The fast client got every position, in order.
            let fastMessages = try await fastReceived.wait(for: 1 + published)
            let expected = (0..<published).map { Timestamp.format(livePosition("", $0).timestamp) }
            #expect(fastMessages.dropFirst().map { $0.ts ?? "?" } == expected)

            // The slow one, reading again, gets what waited for it, newest per device, then the close frame.
            try await slow.setReading(true)
            let close = await slow.waitUntilClosed()
            #expect(close?.code == 1008)
            #expect(close?.reason.hasPrefix("too slow") == true)
            let slowPositions = try slowReceived.all().dropFirst()
            #expect(slowPositions.count < published)
            for device in devices {
                let times = slowPositions.filter { $0.deviceID == device }.compactMap(\.ts)
                #expect(times == times.sorted() && Set(times).count == times.count, "\(device.prefix(8))")
            }
            #expect(fast.isActive)
        }
    }
}
