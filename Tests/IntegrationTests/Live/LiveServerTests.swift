import Foundation
import LiveTestClient
import NIOCore
import NIOPosix
import Stages
import Testing

extension Integration {
    /// The live WebSocket server (CONTRACT §5) with a fake CMS and fake snapshots, over real sockets.
    @Suite struct LiveServerTests {}
}

// MARK: Upgrade

extension Integration.LiveServerTests {
    @Test func upgradeWithoutCookieOrWithAnUnknownSessionIsRefusedWith401() async throws {
        try await LiveTestServer.run { server in
            for cookie in [nil, "session=nobody"] {
                let connection = try await server.connect(cookie: cookie)
                guard case .refused(let status, _) = connection else {
                    Issue.record("upgraded with cookie \(cookie ?? "nil")")
                    continue
                }
                #expect(status == 401)
            }
            #expect(server.metrics.count("flowrun_live_upgrades_total", [("result", "unauthenticated")]) == 2)
            #expect(server.metrics.values("flowrun_live_connections").allSatisfy { $0 == 0 })
        }
    }

    @Test func upgradeWhenTheCMSCannotBeAskedIsRefusedWith503() async throws {
        try await LiveTestServer.run { server in
            let connection = try await server.connect(cookie: "session=down")
            guard case .refused(let status, _) = connection else {
                Issue.record("upgraded although the CMS is down")
                return
            }
            #expect(status == 503)
            #expect(server.metrics.count("flowrun_live_upgrades_total", [("result", "unavailable")]) == 1)
            #expect(server.metrics.values("flowrun_live_connections").allSatisfy { $0 == 0 })
        }
    }

    @Test func upgradeWithAValidSessionIsAcceptedAndCounted() async throws {
        try await LiveTestServer.run { server in
            let (client, _) = try await server.client()
            #expect(client.isActive)
            #expect(server.metrics.count("flowrun_live_upgrades_total", [("result", "accepted")]) == 1)
            try await liveEventually("the connection is counted") {
                server.metrics.values("flowrun_live_connections").last == 1
            }
            await client.close()
            try await liveEventually("the closed connection is no longer counted") {
                server.metrics.values("flowrun_live_connections").last == 0
            }
        }
    }

    @Test func anotherPathIsAnswered404AndAPlainGetOfLiveIs426() async throws {
        try await LiveTestServer.run { server in
            guard case .refused(let status, _) = try await server.connect(path: "/other") else {
                Issue.record("upgraded on /other")
                return
            }
            #expect(status == 404)
            #expect(try await plainGet("/live", port: server.port).hasPrefix("HTTP/1.1 426"))
            #expect(try await plainGet("/nothing", port: server.port).hasPrefix("HTTP/1.1 404"))
        }
    }

    @Test func theBoundPortIsReadableWhenBindingPortZero() async throws {
        try await LiveTestServer.run { first in
            try await LiveTestServer.run { second in
                #expect(first.port > 0)
                #expect(second.port > 0)
                #expect(first.port != second.port)
            }
        }
    }
}

// MARK: Requests

extension Integration.LiveServerTests {
    @Test func subscribeAnswersSubscribedWithTheSnapshot() async throws {
        try await LiveTestServer.run { server in
            let event = LiveTestServer.eventA
            let tracked = LivePosition(
                deviceID: "dev-\"1\"",
                timestamp: 1_777_739_812_123_456,
                latitude: 47.376887,
                longitude: -8.5,
                altitude: 112,
                angle: nil,
                speed: 0.1,
                satellites: nil
            )
            server.snapshots.set([tracked], for: event)
            let connection = try await server.connect()
            let client = try #require(connection.client)
            try await client.subscribe(event)
            var iterator = client.messages.makeAsyncIterator()
            let message = try #require(await iterator.next())
            #expect(
                message.text == #"{"type":"subscribed","topic":"event:\#(event)","snapshot":["#
                    + #"{"device_id":"dev-\"1\"","ts":"2026-05-02T16:36:52.123Z","latitude":47.376887,"#
                    + #""longitude":-8.5,"altitude":112,"angle":null,"speed":0.1,"satellites":null}],"#
                    + #""course":[],"entries":[],"crossings":[]}"#
            )
            await client.close()
        }
    }

    @Test func forbiddenAndUnavailableSubscribesAreErrorsThatKeepTheSocketOpen() async throws {
        try await LiveTestServer.run { server in
            server.authority.answer(.forbidden, for: LiveTestServer.eventA)
            server.authority.answer(.unavailable(reason: "test"), for: LiveTestServer.eventB)
            server.snapshots.fail(LiveTestServer.eventC)
            let (client, receiver) = try await server.client()
            try await client.subscribe(LiveTestServer.eventA)
            let forbidden = try await receiver.message(0)
            #expect(forbidden.type == "error")
            #expect(forbidden.code == "forbidden")
            #expect(forbidden.topic == "event:\(LiveTestServer.eventA)")
            #expect(forbidden["message"] is String)
            try await client.subscribe(LiveTestServer.eventB)
            let cmsDown = try await receiver.message(1)
            #expect(cmsDown.code == "unavailable")
            #expect(cmsDown.topic == "event:\(LiveTestServer.eventB)")
            try await client.subscribe(LiveTestServer.eventC)
            let snapshotDown = try await receiver.message(2)
            #expect(snapshotDown.code == "unavailable")
            #expect(snapshotDown.topic == "event:\(LiveTestServer.eventC)")

            // Refused subscriptions get no positions; the socket still serves a good subscribe.
            server.server.hub.publish(livePosition("d1", 1), to: [LiveTestServer.eventA, LiveTestServer.eventC])
            server.authority.answer(.allowed, for: LiveTestServer.eventA)
            try await client.subscribe(LiveTestServer.eventA)
            let subscribed = try await receiver.message(3)
            #expect(subscribed.type == "subscribed")
            #expect(subscribed.topic == "event:\(LiveTestServer.eventA)")
            #expect(client.isActive)
            #expect(receiver.count == 4)
        }
    }

    @Test func badRequestsAndUnknownTopicsAreErrorsThatKeepTheSocketOpen() async throws {
        try await LiveTestServer.run { server in
            let (client, receiver) = try await server.client()
            let event = LiveTestServer.eventA
            let frames: [(frame: String, code: String, topic: String?)] = [
                ("not json", "bad-request", nil),
                (#"["subscribe"]"#, "bad-request", nil),
                (#"{"type":"hello","topic":"event:\#(event)"}"#, "bad-request", "event:\(event)"),
                (#"{"topic":"event:\#(event)"}"#, "bad-request", "event:\(event)"),
                (#"{"type":"subscribe"}"#, "bad-request", nil),
                (#"{"type":"subscribe","topic":"room:1"}"#, "unknown-topic", "room:1"),
                (#"{"type":"unsubscribe","topic":"event:not-a-uuid"}"#, "unknown-topic", "event:not-a-uuid"),
            ]
            for (index, request) in frames.enumerated() {
                try await client.send(request.frame)
                let answer = try await receiver.message(index)
                #expect(answer.type == "error", "\(request.frame)")
                #expect(answer.code == request.code, "\(request.frame)")
                #expect(answer.topic == request.topic, "\(request.frame)")
                #expect((answer["message"] as? String)?.isEmpty == false)
            }
            // An upper-case UUID is the same topic, answered in lower case.
            try await client.send(#"{"type":"subscribe","topic":"event:\#(event.uppercased())"}"#)
            let subscribed = try await receiver.message(frames.count)
            #expect(subscribed.type == "subscribed")
            #expect(subscribed.topic == "event:\(event)")
            #expect(client.isActive)
        }
    }

    @Test func aPingIsAnsweredWithAPong() async throws {
        try await LiveTestServer.run { server in
            let (client, _) = try await server.client()
            try await client.ping("hello")
            try await liveEventually("a pong") { client.pongsReceived == 1 }
        }
    }
}

/// Sends a plain HTTP/1.1 GET (no upgrade) and returns the whole answer.
func plainGet(_ path: String, port: Int, method: String = "GET", cookie: String? = nil) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        let cookieLine = cookie.map { "Cookie: \($0)\r\n" } ?? ""
        try await outbound.write(
            ByteBuffer(
                string: "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(cookieLine)\r\n"
            )
        )
        var answer = ""
        for try await chunk in inbound { answer += String(buffer: chunk) }
        return answer
    }
}
