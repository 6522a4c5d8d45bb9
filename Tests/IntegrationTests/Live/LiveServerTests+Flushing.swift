import Foundation
import LiveTestClient
import Stages
import Testing

// MARK: Flush delay

extension Integration.LiveServerTests {
    @Test func positionsPublishedWithinTheFlushDelayReachAClientInOneSocketWrite() async throws {
        try await LiveTestServer.run(flushDelay: .seconds(2)) { server in
            let event = LiveTestServer.eventA
            let (client, received) = try await server.client()
            try await client.subscribe(event)
            #expect(try await received.message(0).type == "subscribed")
            let flushesBefore = server.metrics.values("flowrun_live_flushes_total").reduce(0, +)
            let sentBefore = server.metrics.values("flowrun_live_messages_sent_total").reduce(0, +)

            // Apart in time, so that they are delivered in separate passes (without the delay: two flushes).
            server.server.hub.publish(livePosition("d1", 1), to: [event])
            try await Task.sleep(for: .milliseconds(100))
            for index in 2...3 { server.server.hub.publish(livePosition("d\(index)", index), to: [event]) }
            let positions = try await received.wait(for: 4)[1...]
            #expect(positions.map(\.deviceID) == ["d1", "d2", "d3"])
            #expect(server.metrics.values("flowrun_live_messages_sent_total").reduce(0, +) - sentBefore == 3)
            #expect(server.metrics.values("flowrun_live_flushes_total").reduce(0, +) - flushesBefore == 1)
        }
    }

    @Test func answersAreNotHeldByTheFlushDelayAndCarryThePositionsWrittenBeforeThem() async throws {
        // A delay no test waits out: whatever arrives was flushed by an answer, not by the timer.
        try await LiveTestServer.run(flushDelay: .seconds(3600)) { server in
            let (eventA, eventB) = (LiveTestServer.eventA, LiveTestServer.eventB)
            let (client, received) = try await server.client()
            try await client.subscribe(eventA)
            #expect(try await received.message(0).type == "subscribed")

            server.server.hub.publish(livePosition("d1", 1), to: [eventA])
            try await client.subscribe(eventB)
            let messages = try await received.wait(for: 3)
            #expect(messages.map(\.type) == ["subscribed", "position", "subscribed"])
            #expect(messages[1].deviceID == "d1")
            #expect(messages[2].topic == "event:\(eventB)")
        }
    }
}
