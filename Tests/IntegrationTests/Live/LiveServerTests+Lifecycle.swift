import LiveTestClient
import Stages
import Testing

extension Integration.LiveServerTests {
    @Test func aGracefulShutdownClosesEveryClientWith1001AndEndsRun() async throws {
        let server = try await LiveTestServer()
        let (idle, _) = try await server.client()
        let (subscribed, received) = try await server.client()
        try await subscribed.subscribe(LiveTestServer.eventA)
        _ = try await received.wait(for: 1)
        let running = Task { try await server.server.run() }

        await server.stop()
        #expect(await idle.waitUntilClosed()?.code == 1001)
        #expect(await subscribed.waitUntilClosed()?.code == 1001)
        try await running.value
        #expect(server.server.port == nil)
        await #expect(throws: (any Error).self) { try await server.connect() }
        await server.stop()  // again: returns at once
    }

    @Test func cancellingRunShutsTheServerDown() async throws {
        let server = try await LiveTestServer()
        let (client, _) = try await server.client()
        let running = Task { try await server.server.run() }
        running.cancel()
        #expect(await client.waitUntilClosed()?.code == 1001)
        try await running.value
        #expect(server.server.port == nil)
    }

    @Test func aClientThatClosesIsAnsweredWithItsCode() async throws {
        try await LiveTestServer.run { server in
            let (client, received) = try await server.client()
            try await client.subscribe(LiveTestServer.eventA)
            _ = try await received.wait(for: 1)
            await client.close(code: 1000)
            #expect(client.closeFrame?.code == 1000)
            try await liveEventually("the subscription ends with the connection") {
                server.metrics.values("flowrun_live_subscriptions").last == 0
                    && server.metrics.values("flowrun_live_connections").last == 0
            }
        }
    }
}
