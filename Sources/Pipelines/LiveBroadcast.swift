import CoreMetrics
import Flow
import Logging
import Metrics
import ServiceLifecycle
import Stages
import Synchronization

/// live-broadcast: every position reaches the browsers watching its race event within milliseconds.
///
/// ```
/// live-stream-source → decode → drop-stale → event-lookup → fan-out ⇒ WebSocket /live
/// ```
///
/// Reads the stream in a consumer group of this instance's own, from the stream's end at every start,
/// acknowledged on read (live data is not durable data; durable-write stores and dead-letters). A position
/// older than the newest already sent for its device, or a repeat of it, is dropped, so a marker never jumps
/// back. Each position goes to the subscribers of every event its device is in (CONTRACT §3, a map held in
/// memory and refreshed every `refresh`); a device in no event reaches nobody.
///
/// - Important: The fan-out never waits for a browser: what waits for one connection is bounded by
///   `client_queue` (the newest position per device wins), and a client behind for longer than
///   `slow_client_timeout` is closed. So a slow browser never slows the pipeline or the other browsers.
public final class LiveBroadcast: Service, Sendable {
    public static let name = FlowrunConfiguration.Pipelines.LiveBroadcast.name

    public let pipeline: Pipeline<Never>
    /// The WebSocket server; its ``LiveServer/port`` is the bound one once the pipeline runs.
    public let server: LiveServer
    public let deviceEvents: DeviceEvents
    /// Running totals, for the progress line.
    public let stats = LiveBroadcastStats()
    private let resources: Resources
    private let logger: Logger

    /// The connections the pipeline owns, closed when it stops.
    struct Resources: Sendable {
        let reader: RedisConnection
        let registry: PostgresConnection
        let snapshots: PostgresPool
        let cms: CMSClient

        func close() async {
            await self.reader.close()
            await self.registry.close()
            await self.snapshots.close()
            try? await self.cms.shutdown()
        }
    }

    public init(configuration: FlowrunConfiguration, flow: PipelineConfiguration) throws(RedisError) {
        let settings = configuration.pipelines.liveBroadcast
        let postgres = configuration.postgres.url.absoluteString
        let resources = Resources(
            reader: try RedisConnection(url: configuration.redis.url.absoluteString, name: "live-read"),
            registry: PostgresConnection(url: postgres, name: "live-registry"),
            snapshots: PostgresPool(url: postgres, size: 2, name: "live-snapshot"),
            cms: CMSClient(
                configuration: .init(baseURL: settings.cmsURL, timeout: settings.cmsTimeout),
                logger: flow.logger,
                metricsFactory: flow.metricsFactory
            )
        )
        self.resources = resources
        self.logger = flow.logger
        self.deviceEvents = DeviceEvents(
            connection: resources.registry,
            refresh: settings.refresh,
            logger: flow.logger,
            metricsFactory: flow.metricsFactory
        )
        self.server = LiveServer(
            configuration: .init(
                port: settings.port,
                clientQueue: settings.clientQueue,
                slowClientTimeout: settings.slowClientTimeout,
                flushDelay: settings.flushDelay
            ),
            authority: resources.cms,
            snapshots: PostgresSnapshots(pool: resources.snapshots),
            logger: flow.logger,
            metricsFactory: flow.metricsFactory
        )
        var source = LiveStreamSource.Settings(
            stream: settings.stream,
            group: settings.group(instance: configuration.instance),
            consumer: configuration.instance
        )
        source.readCount = settings.readCount
        source.block = settings.block
        self.pipeline = Self.makePipeline(
            source: LiveStreamSource(redis: resources.reader, settings: source),
            deviceEvents: self.deviceEvents,
            hub: self.server.hub,
            stats: self.stats,
            flow: flow
        )
    }

    /// The stages from the stream to the hub; public stages, so each is testable alone.
    static func makePipeline(
        source: LiveStreamSource,
        deviceEvents: DeviceEvents,
        hub: LiveHub,
        stats: LiveBroadcastStats,
        flow: PipelineConfiguration
    ) -> Pipeline<Never> {
        let newest = DeviceStateStore()
        let logger = flow.logger
        let metrics = LiveBroadcastMetrics(pipeline: Self.name, factory: flow.metricsFactory)
        return Pipeline(Self.name, configuration: flow) {
            source
            CompactMap { (entry: StreamEntry) -> Position? in
                switch PositionDecoder.decode(entry) {
                case .success(let position):
                    return position
                case .failure(let error):
                    // durable-write dead-letters it; here it is only counted and told.
                    metrics.decodeErrors(error.reason.code).increment()
                    logger.notice(
                        "malformed entry not broadcast",
                        metadata: ["entry": "\(entry.id)", "reason": "\(error)"]
                    )
                    return nil
                }
            }
            .named("decode")
            Filter { (position: Position) in newest.advance(device: position.deviceID, timestamp: position.timestamp) }
                .named("drop-stale")
            CompactMap { (position: Position) -> EventDelivery? in
                let events = deviceEvents.events(of: position.deviceID)
                return events.isEmpty ? nil : EventDelivery(position: LivePosition(position), events: events)
            }
            .named("event-lookup")
            Sink { (delivery: EventDelivery) in
                hub.publish(delivery.position, to: delivery.events)
                stats.recordBroadcast()
            }
            .named("fan-out")
        }
    }

    /// Live data is not durable: positions on their way to browsers are dropped; durable-write stores them.
    public var abandonedIfStoppedNow: String {
        "the positions on their way to browsers are not sent (live data is not durable; durable-write stores it)"
    }

    /// Loads the device→events map (failing clearly when the CMS's tables are missing), starts the WebSocket
    /// server, then runs the pipeline, the map's refresh and the server until a graceful shutdown: the
    /// pipeline drains, then the server closes every socket (1001, going away).
    public func run() async throws {
        do {
            let map = try await self.deviceEvents.load()
            self.logger.info(
                "device → event map loaded",
                metadata: ["pipeline": "\(Self.name)", "devices_in_events": "\(map.deviceCount)"]
            )
            try await self.server.start()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.deviceEvents.run() }
                group.addTask {
                    try await withGracefulShutdownHandler {
                        try await self.server.run()
                    } onGracefulShutdown: {
                        // The pipeline drains first; the server stays up until the group below ends.
                    }
                }
                group.addTask { try await self.pipeline.run() }
                // Whichever ends first (the drained pipeline, or a failure) ends the others.
                defer { group.cancelAll() }
                try await group.next()
                group.cancelAll()
                while let result = await group.nextResult() {
                    if case .failure(let error) = result, !(error is CancellationError) { throw error }
                }
            }
        } catch {
            await self.server.shutdown()
            await self.resources.close()
            throw error
        }
        await self.server.shutdown()
        await self.resources.close()
    }
}

/// live-broadcast's running totals since start, readable at any time (for the progress line and tests).
public final class LiveBroadcastStats: Sendable {
    private let broadcast = Atomic<Int>(0)

    public init() {}

    /// Positions handed to the fan-out (each to the subscribers of every event of its device).
    public var positionsBroadcast: Int { self.broadcast.load(ordering: .relaxed) }

    func recordBroadcast() {
        self.broadcast.add(1, ordering: .relaxed)
    }
}

/// live-broadcast's domain metrics, beside the per-stage ones Flow keeps and the live server's own.
struct LiveBroadcastMetrics: Sendable {
    let pipeline: String
    let factory: any MetricsFactory

    init(pipeline: String, factory: any MetricsFactory) {
        self.pipeline = pipeline
        self.factory = factory
    }

    func decodeErrors(_ reason: String) -> Counter {
        Counter(
            label: "flowrun_decode_errors_total",
            dimensions: [("pipeline", self.pipeline), ("reason", reason)],
            factory: self.factory
        )
    }
}
