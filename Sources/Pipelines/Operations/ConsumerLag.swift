import CoreMetrics
import Logging
import ServiceLifecycle
import Stages
import Synchronization

/// Exports how far each pipeline's consumer group is behind its stream, as gauges labelled `stream` and
/// `group`, from `XINFO GROUPS <stream>` (Redis 7.0 or later) every ``interval``:
///
/// | metric | from | meaning |
/// |---|---|---|
/// | `flowrun_consumer_lag_entries` | `lag` | entries of the stream not yet delivered to the group |
/// | `flowrun_consumer_pending_entries` | `pending` | entries delivered to the group and not acknowledged |
///
/// ```swift
/// let lag = try ConsumerLag(configuration)  // durable-write's and live-broadcast's groups
/// // in the ServiceGroup, next to the OperationsServer: .init(service: lag, successTerminationBehavior: .ignore)
/// ```
///
/// - Important: A round never throws. A failed `XINFO GROUPS` (Redis away, no such stream) is logged at
///   debug and leaves the gauges of that stream as they were until the next round. Redis reports `lag` as
///   nil when it cannot tell (e.g. entries were deleted): the lag gauge then keeps its last value, and is
///   not made until Redis first tells it. A group missing from a successful answer, or no longer
///   ``track(_:)``ed, has its gauges removed, so `/metrics` never shows a group that does not exist.
///   ``run()`` ends on a graceful shutdown or cancellation and closes its connection (`ops-lag`, 2 s
///   connect and command timeouts), at the latest when the command in flight times out.
public final class ConsumerLag: Service, Sendable {
    /// One consumer group of one stream.
    public struct Group: Sendable, Hashable, CustomStringConvertible {
        public var stream: String
        public var group: String

        public init(stream: String, group: String) {
            self.stream = stream
            self.group = group
        }

        public var description: String { "\(self.stream) \(self.group)" }
    }

    /// Time between the end of one round and the start of the next.
    public let interval: Duration
    private let redis: RedisConnection
    private let factory: any MetricsFactory
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        /// What each round asks about, in order, without repeats.
        var groups: [Group]
        var lag: [Group: Gauge] = [:]
        var pending: [Group: Gauge] = [:]
    }

    /// The metric names.
    static let lagMetric = "flowrun_consumer_lag_entries"
    static let pendingMetric = "flowrun_consumer_pending_entries"

    /// - Parameters:
    ///   - groups: The groups to watch (see ``groups(of:)``); change them with ``track(_:)``.
    ///   - interval: Time between rounds. Default: 5 s.
    /// - Throws: ``RedisError`` when `redisURL` is not a `redis://` URL.
    public init(
        redisURL: String,
        groups: [Group],
        interval: Duration = .seconds(5),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "flowrun.consumer-lag")
    ) throws(RedisError) {
        // Short timeouts: a round against an unresponsive Redis must not hold up a graceful shutdown long.
        var connection = RedisConnection.Configuration()
        connection.connectTimeout = .seconds(2)
        connection.commandTimeout = .seconds(2)
        self.redis = try RedisConnection(url: redisURL, name: "ops-lag", configuration: connection)
        self.interval = interval
        self.factory = metricsFactory
        self.logger = logger
        self.state = Mutex(State(groups: Self.unique(groups)))
    }

    /// Watches the groups of `configuration`'s enabled pipelines on its Redis.
    public convenience init(
        _ configuration: FlowrunConfiguration,
        interval: Duration = .seconds(5),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "flowrun.consumer-lag")
    ) throws(RedisError) {
        try self.init(
            redisURL: configuration.redis.url.absoluteString,
            groups: Self.groups(of: configuration),
            interval: interval,
            metricsFactory: metricsFactory,
            logger: logger
        )
    }

    /// The consumer groups `configuration`'s enabled pipelines read in: durable-write's `group`, and
    /// live-broadcast's group of this instance (`<group_prefix>-<instance>`).
    public static func groups(of configuration: FlowrunConfiguration) -> [Group] {
        var groups: [Group] = []
        let durable = configuration.pipelines.durableWrite
        if durable.enabled { groups.append(Group(stream: durable.stream, group: durable.group)) }
        let live = configuration.pipelines.liveBroadcast
        if live.enabled {
            groups.append(Group(stream: live.stream, group: live.group(instance: configuration.instance)))
        }
        return groups
    }

    /// Watches `groups` from the next round on (after a configuration reload); the gauges of groups no
    /// longer watched are removed.
    public func track(_ groups: [Group]) {
        let wanted = Self.unique(groups)
        let dropped = self.state.withLock { state in
            state.groups = wanted
            return Self.forget(&state) { !wanted.contains($0) }
        }
        for gauge in dropped { gauge.destroy() }
    }

    /// One round: asks Redis about every watched stream, one after the other, and sets the gauges.
    public func pollNow() async {
        let groups = self.state.withLock { $0.groups }
        var streams: [String] = []
        for group in groups where !streams.contains(group.stream) { streams.append(group.stream) }
        for stream in streams {
            let reply: RedisReply
            do {
                reply = try await self.redis.send(["XINFO", "GROUPS", RedisArgument(stream)])
            } catch {
                self.logger.debug(
                    "XINFO GROUPS failed; asking again next round",
                    metadata: ["stream": "\(stream)", "error": "\(error)"]
                )
                continue
            }
            self.record(ConsumerGroupInfo.parse(reply), of: stream)
        }
    }

    /// Polls every ``interval`` until a graceful shutdown or cancellation, then closes the connection.
    public func run() async throws {
        await PollingRounds.run(every: self.interval) { await self.pollNow() }
        await self.redis.close()
    }

    // MARK: - Internals

    typealias Info = ConsumerGroupInfo

    private func record(_ answer: [String: Info], of stream: String) {
        let dropped = self.state.withLock { state in
            for group in state.groups where group.stream == stream {
                guard let info = answer[group.group] else { continue }
                if let pending = info.pending {
                    self.gauge(Self.pendingMetric, group, in: &state.pending).record(pending)
                }
                if let lag = info.lag {
                    self.gauge(Self.lagMetric, group, in: &state.lag).record(lag)
                }
            }
            return Self.forget(&state) { $0.stream == stream && answer[$0.group] == nil }
        }
        for gauge in dropped { gauge.destroy() }
    }

    private func gauge(_ label: String, _ group: Group, in gauges: inout [Group: Gauge]) -> Gauge {
        if let gauge = gauges[group] { return gauge }
        let gauge = Gauge(
            label: label,
            dimensions: [("stream", group.stream), ("group", group.group)],
            factory: self.factory
        )
        gauges[group] = gauge
        return gauge
    }

    /// Removes the gauges of the groups `matching` from `state` and returns them, to destroy outside the lock.
    private static func forget(_ state: inout State, matching: (Group) -> Bool) -> [Gauge] {
        var dropped: [Gauge] = []
        for group in Set(state.lag.keys).union(state.pending.keys) where matching(group) {
            if let gauge = state.lag.removeValue(forKey: group) { dropped.append(gauge) }
            if let gauge = state.pending.removeValue(forKey: group) { dropped.append(gauge) }
        }
        return dropped
    }

    private static func unique(_ groups: [Group]) -> [Group] {
        var unique: [Group] = []
        for group in groups where !unique.contains(group) { unique.append(group) }
        return unique
    }
}
