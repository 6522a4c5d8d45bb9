import Foundation
import LiveTestClient
import Stages
import Testing

// MARK: Crossings (CONTRACT §6.5)

extension Integration.LiveServerTests {
    /// A crossing of `event` by entry `entry` at checkpoint seq `seq`, `index` ms after 2026-05-02T16:36:52Z.
    static func crossing(_ event: String, entry: Int, seq: Int, _ index: Int) -> CrossingRecord {
        CrossingRecord(
            event: event,
            entry: "00000000-0000-4000-8000-\(String(repeating: "0", count: 11))\(entry)",
            checkpoint: "00000000-0000-4000-9000-\(String(repeating: "0", count: 11))\(seq)",
            seq: seq,
            device: "dev-\(entry)",
            timestamp: 1_777_739_812_000_000 + Int64(index) * 1000
        )
    }

    @Test func subscribedCarriesTheCourseEntriesAndCrossingsAndChangesFollowAsTheirFrames() async throws {
        try await LiveTestServer.run { server in
            let event = LiveTestServer.eventA
            let start = Checkpoint(
                id: "00000000-0000-4000-9000-000000000001",
                seq: 1,
                name: "Start \"A\"",
                kind: .start,
                lat1: 54.5,
                lon1: 25.25,
                lat2: 54.5,
                lon2: 25.375
            )
            let counted = Self.crossing(event, entry: 1, seq: 1, 5)
            server.snapshots.set(
                LiveTimingSnapshot(
                    course: [start],
                    entries: [EventEntry(id: counted.entry, name: nil, devices: ["dev-1", "dev-0"])],
                    crossings: [counted]
                ),
                for: event
            )
            let (client, received) = try await server.client()
            try await client.subscribe(event)
            _ = try await received.wait(for: 1)
            #expect(
                received.texts()[0] == #"{"type":"subscribed","topic":"event:\#(event)","snapshot":[],"#
                    + #""course":[{"id":"00000000-0000-4000-9000-000000000001","seq":1,"name":"Start \"A\"","#
                    + #""kind":"start","lat1":54.5,"lon1":25.25,"lat2":54.5,"lon2":25.375}],"#
                    + #""entries":[{"id":"00000000-0000-4000-8000-000000000001","name":null,"#
                    + #""devices":["dev-0","dev-1"]}],"crossings":[\#(counted.json)]}"#
            )
            let hub = server.server.hub
            let later = Self.crossing(event, entry: 1, seq: 2, 9)
            hub.publish(CrossingChange(.upsert, later))
            hub.publish(CrossingChange(.remove, counted))
            hub.publish(CrossingChange(.upsert, Self.crossing(LiveTestServer.eventB, entry: 2, seq: 1, 1)))
            _ = try await received.wait(for: 3)
            let texts = received.texts()
            #expect(texts[1] == #"{"type":"crossing","topic":"event:\#(event)","crossing":\#(later.json)}"#)
            #expect(
                texts[2] == #"{"type":"crossing-removed","topic":"event:\#(event)","#
                    + #""entry_id":"\#(counted.entry)","checkpoint_id":"\#(counted.checkpoint)"}"#
            )
            hub.publish(livePosition("marker", 1), to: [event])
            #expect(try await received.message(3).deviceID == "marker", "nothing of event B came")
            await client.close()
        }
    }

    @Test func crossingsPublishedWhileTheSnapshotIsReadFollowSubscribedAndNoneIsLost() async throws {
        try await LiveTestServer.run { server in
            let event = LiveTestServer.eventA
            let gate = LiveGate()
            server.snapshots.hold(event, until: gate)
            let inSnapshot = Self.crossing(event, entry: 1, seq: 1, 1)
            server.snapshots.set(LiveTimingSnapshot(crossings: [inSnapshot]), for: event)
            let (client, received) = try await server.client()
            try await client.subscribe(event)
            try await liveEventually("the snapshot is being read") { server.snapshots.requests(for: event) == 1 }

            let hub = server.server.hub
            // The snapshot's own crossing again (it may appear twice), then more than fit a coalescing queue
            // per device: crossings of one device are never coalesced.
            hub.publish(CrossingChange(.upsert, inSnapshot))
            let more = (2...6).map { Self.crossing(event, entry: 1, seq: $0, $0) }
            for crossing in more { hub.publish(CrossingChange(.upsert, crossing)) }
            try await Task.sleep(for: .milliseconds(20))
            #expect(received.count == 0)
            gate.open()

            let messages = try await received.wait(for: 7)
            #expect(messages[0].type == "subscribed")
            #expect((messages[0]["crossings"] as? [[String: Any]])?.count == 1)
            #expect(messages[1...].allSatisfy { $0.type == "crossing" })
            let seqs = messages[1...].compactMap { ($0["crossing"] as? [String: Any])?["seq"] as? Int }
            #expect(seqs == [1, 2, 3, 4, 5, 6])
            await client.close()
        }
    }
}
