import Foundation
import LiveTestClient
import Stages
import Synchronization
import Testing

/// CONTRACT §5 "no position is lost between the snapshot and the live feed", end to end: durable-write and
/// live-broadcast running on one stream while positions keep arriving, a browser subscribing mid-stream.
extension Integration {
    @Suite struct LiveBroadcastGaplessTests {
        static let devices = (1...8).map { "gapless-\($0)" }
        static let t0: Int64 = 1_777_739_812_000_000  // 2026-05-02T16:36:52Z

        /// `subscribed` comes before any position of its topic; after it, each device's positions only move
        /// forward from its snapshot; and every position appended once `subscribed` had arrived (so read after
        /// the subscription began) is delivered. (One read just before the subscription began and stored just
        /// after the snapshot was read may be in neither: CONTRACT §5 promises the positions read after it.)
        @Test func aSubscriptionMidStream_snapshotThenEveryLaterPosition_neverBackwards() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast { live, registry, _ in
                    let event = try await registry.addEvent(name: "gapless")
                    try await registry.addEntry(event: event, devices: Self.devices)
                    try await world.eventually("the map has the event's devices") {
                        live.service.deviceEvents.map.deviceCount == Self.devices.count
                    }
                    let storing = try RunningDurableWrite(world.configuration())
                    let ticks = Mutex(0)
                    let feeder = Task {
                        var tick = 0
                        while !Task.isCancelled {
                            try await world.append(Self.devices.map { ($0, Self.payload($0, tick: tick)) })
                            tick += 1
                            ticks.withLock { $0 = tick }
                        }
                    }
                    do {
                        try await world.eventually("positions are stored while more arrive") {
                            try await world.rowCount() >= 20 * Self.devices.count
                        }
                        let (client, received) = try await live.client()
                        try await client.subscribe(event)
                        let subscribed = try await received.message(0)
                        #expect(subscribed.type == "subscribed", "\(subscribed)")
                        // Every tick after the one being appended now was read after the subscription began.
                        let firstAfter = ticks.withLock { $0 } + 1
                        try await world.eventually("some ticks arrive after the subscription") {
                            ticks.withLock { $0 } >= firstAfter + 20
                        }
                        feeder.cancel()
                        _ = await feeder.result
                        let lastTick = ticks.withLock { $0 } - 1  // the last tick appended whole
                        let snapshot = try #require(subscribed["snapshot"] as? [[String: Any]])
                        var newest: [String: String] = [:]
                        for position in snapshot {
                            newest[try #require(position["device_id"] as? String)] = position["ts"] as? String
                        }
                        #expect(newest.count == Self.devices.count, "the snapshot holds every device stored")
                        let last = Set(Self.devices.map { "\($0) \(Self.ts($0, tick: lastTick))" })
                        try await liveEventually("every device's last position arrives", within: .seconds(60)) {
                            let arrived = try received.all().compactMap { message in
                                message.type == "position" ? "\(message.deviceID ?? "?") \(message.ts ?? "?")" : nil
                            }
                            return last.isSubset(of: Set(arrived))
                        }
                        var delivered: [String: [String]] = [:]
                        for message in try received.all().dropFirst() {
                            #expect(message.type == "position", "\(message)")
                            delivered[try #require(message.deviceID), default: []].append(try #require(message.ts))
                        }
                        for device in Self.devices {
                            let times = delivered[device] ?? []
                            // ISO-8601 UTC with milliseconds: text order is time order.
                            #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "\(device) moves forward")
                            if let start = newest[device] {
                                // The snapshot's own position may follow it once (CONTRACT §5), nothing older.
                                #expect(times.allSatisfy { $0 >= start }, "\(device) never goes back past its snapshot")
                            }
                            let missing = (firstAfter...lastTick).map { Self.ts(device, tick: $0) }
                                .filter { !times.contains($0) }
                            #expect(missing.isEmpty, "\(device): appended after subscribed, not delivered: \(missing)")
                        }
                    } catch {
                        feeder.cancel()
                        _ = await feeder.result
                        try? await storing.stop()
                        throw error
                    }
                    try await storing.stop()
                }
            }
        }

        /// The window the previous test cannot see into: positions published while a `subscribe` is being
        /// answered (the CMS asked, the snapshot read). The CMS stand-in holds the event's check for a second;
        /// once it has the request, the topic is joined, so the positions appended then (and stored nowhere, so
        /// in no snapshot) must follow `subscribed`.
        @Test func positionsPublishedWhileTheSubscriptionIsAnswered_followTheSnapshot() async throws {
            try await TestWorld.run { world in
                try await world.withLiveBroadcast(configure: { $0.pipelines.liveBroadcast.cmsTimeout = .seconds(30) }) {
                    live,
                    registry,
                    cms in
                    let event = try await registry.addEvent(name: "answering")
                    try await registry.addEntry(event: event, devices: Self.devices)
                    try await world.eventually("the map has the event's devices") {
                        live.service.deviceEvents.map.deviceCount == Self.devices.count
                    }
                    let (client, received) = try await live.client()
                    cms.stub.setBehavior(.hang(.seconds(1)), for: [.event])
                    try await client.subscribe(event)
                    try await world.eventually("the CMS is asked about the event") {
                        cms.stub.requests.contains { $0.endpoint == .event }
                    }
                    try await world.append(Self.devices.map { ($0, Self.payload($0, tick: 1)) })
                    let messages = try await received.wait(for: 1 + Self.devices.count, within: .seconds(60))
                    #expect(messages.first?.type == "subscribed", "\(messages.first ?? [:])")
                    #expect((messages.first?["snapshot"] as? [Any])?.isEmpty == true, "nothing is stored")
                    let delivered = messages.dropFirst().filter { $0.type == "position" }.compactMap(\.deviceID)
                    #expect(delivered.sorted() == Self.devices.sorted())
                }
            }
        }

        static func micros(tick: Int) -> Int64 { Self.t0 + Int64(tick) * 250_000 }

        static func ts(_ device: String, tick: Int) -> String {
            Timestamp.format(Self.micros(tick: tick), precision: .milliseconds)
        }

        static func payload(_ device: String, tick: Int) -> String {
            TestWorld.payload(device, micros: Self.micros(tick: tick), latitude: 54 + Double(tick) / 100_000)
        }
    }
}
