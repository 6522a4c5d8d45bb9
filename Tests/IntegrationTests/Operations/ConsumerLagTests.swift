import Foundation
import Logging
import Pipelines
import ServiceLifecycle
import Stages
import Testing

extension Integration {
    /// `flowrun_consumer_lag_entries` and `flowrun_consumer_pending_entries` from `XINFO GROUPS`, on the real
    /// Redis.
    @Suite struct ConsumerLagTests {
        static let quiet = Logger(label: "consumer-lag-test", factory: { _ in SwiftLogNoOpLogHandler() })

        @Test func entriesReadWithoutAckArePendingAndTheRestIsLag() async throws {
            try await TestWorld.run { world in
                try await world.redis.send(
                    ["XGROUP", "CREATE", RedisArgument(world.stream), RedisArgument(world.group), "0", "MKSTREAM"]
                )
                try await world.append((0..<10).map { ("device-\($0)", "{}") })
                try await world.redis.send([
                    "XREADGROUP", "GROUP", RedisArgument(world.group), "reader", "COUNT", "4", "STREAMS",
                    RedisArgument(world.stream), ">",
                ])
                let metrics = RecordingMetrics()
                let lag = try ConsumerLag(
                    redisURL: world.servers.redisURL,
                    groups: [.init(stream: world.stream, group: world.group)],
                    interval: .milliseconds(50),
                    metricsFactory: metrics,
                    logger: Self.quiet
                )
                let labels = [("stream", world.stream), ("group", world.group)]
                await lag.pollNow()
                #expect(metrics.values("flowrun_consumer_pending_entries", labels).last == 4)
                #expect(metrics.values("flowrun_consumer_lag_entries", labels).last == 6)

                // Running as a service: later changes show within a few rounds; a graceful shutdown ends it.
                let group = ServiceGroup(services: [lag], logger: Self.quiet)
                let running = Task { try await group.run() }
                let pending = try await world.redis.send([
                    "XREADGROUP", "GROUP", RedisArgument(world.group), "reader", "COUNT", "100", "STREAMS",
                    RedisArgument(world.stream), ">",
                ])
                let ids = (pending.array?.first?.array?[1].array ?? []).compactMap { $0.array?.first?.string }
                #expect(ids.count == 6)
                try await world.redis.send(
                    ["XACK", RedisArgument(world.stream), RedisArgument(world.group)]
                        + ids.prefix(5).map { RedisArgument($0) }
                )
                try await world.eventually("pending 5, lag 0") {
                    metrics.values("flowrun_consumer_pending_entries", labels).last == 5
                        && metrics.values("flowrun_consumer_lag_entries", labels).last == 0
                }
                await group.triggerGracefulShutdown()
                try await running.value
            }
        }

        @Test func aMissingStreamOrGroupSetsNothingAndIsAskedAgain() async throws {
            try await TestWorld.run { world in
                let metrics = RecordingMetrics()
                let lag = try ConsumerLag(
                    redisURL: world.servers.redisURL,
                    groups: [
                        .init(stream: world.stream, group: "absent"), .init(stream: world.stream, group: world.group),
                    ],
                    metricsFactory: metrics,
                    logger: Self.quiet
                )
                let labels = [("stream", world.stream), ("group", world.group)]
                await lag.pollNow()  // no such key: logged at debug
                #expect(metrics.values("flowrun_consumer_pending_entries", labels).isEmpty)
                try await world.redis.send(
                    ["XGROUP", "CREATE", RedisArgument(world.stream), RedisArgument(world.group), "$", "MKSTREAM"]
                )
                await lag.pollNow()
                #expect(metrics.values("flowrun_consumer_pending_entries", labels) == [0])
                #expect(metrics.values("flowrun_consumer_lag_entries", labels) == [0])
                let absent = [("stream", world.stream), ("group", "absent")]
                #expect(metrics.values("flowrun_consumer_pending_entries", absent).isEmpty)
                lag.track([])  // a reload disabled the pipeline: not asked about any more
                await lag.pollNow()
                #expect(metrics.values("flowrun_consumer_pending_entries", labels) == [0])
            }
        }

        @Test func theGroupsOfTheEnabledPipelines() {
            var configuration = FlowrunConfiguration()
            configuration.instance = "node-7"
            #expect(ConsumerLag.groups(of: configuration).isEmpty)
            configuration.pipelines.durableWrite.enabled = true
            configuration.pipelines.liveBroadcast.enabled = true
            configuration.pipelines.liveBroadcast.stream = "other"
            #expect(
                ConsumerLag.groups(of: configuration) == [
                    .init(stream: "telemetry:t", group: "processor"),
                    .init(stream: "other", group: "live-broadcast-node-7"),
                ]
            )
        }
    }
}
