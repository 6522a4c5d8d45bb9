import CoreMetrics
import Flow
import Logging
import ServiceLifecycle
import Stages

/// live-broadcast: every position reaches the browsers watching its race event within milliseconds.
///
/// ```
/// live-stream-source → decode → flag-faults → drop-faulty → drop-stale → event-lookup → fan-out
///                         └─ report-malformed                                     ⇒ WebSocket /live
/// live-stream-source → decode-crossing → crossing-fan-out ⇒ WebSocket /live     (the timing pipeline)
///                         └─ report-malformed
/// ```
///
/// The timing pipeline (``timing``, named `live-broadcast-timing`) reads the changes of the `crossings`
/// table from `timing_stream` (CONTRACT §6.5) the same way, in a group of this instance's own from the end,
/// and sends each as a `crossing` or `crossing-removed` on its event's topic.
///
/// Reads the stream in a consumer group of this instance's own, from the stream's end at every start,
/// acknowledged on read (live data is not durable data; durable-write stores and dead-letters). A position
/// judged faulty (`faults:`, CONTRACT §6.2, against what this pipeline has seen of its device) is not sent,
/// and does not count as its device's newest, so it never hides a later good one. A position
/// older than the newest already sent for its device, or a repeat of it, is dropped, so a marker never jumps
/// back. Each position goes to the subscribers of every event its device is in (CONTRACT §3, a map held in
/// memory and refreshed every `refresh`); a device in no event reaches nobody.
///
/// - Important: The fan-out never waits for a browser: what waits for one connection is bounded by
///   `client_queue` (the newest position per device wins), and a client behind for longer than
///   `slow_client_timeout` is closed. So a slow browser never slows the pipeline or the other browsers.
public final class LiveBroadcast: PipelineKind, Sendable {
    public typealias Settings = FlowrunConfiguration.Pipelines.LiveBroadcast
    public static let name = "live-broadcast"

    public let pipeline: Pipeline<Never>
    /// The timing branch: `timing_stream` → `crossing` / `crossing-removed` frames. Runs with ``pipeline``.
    public let timing: Pipeline<Never>
    /// The device → events map the pipeline looks positions up in.
    public let deviceEvents: DeviceEvents
    /// Running totals, for the progress line.
    public let stats = LiveBroadcastStats()
    private let resources: Resources
    private let settings: Settings
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    /// Where the fan-out publishes: the server's hub, once ``run()`` has started the server.
    private let publisher = DeferredPublisher()
    /// The WebSocket server, once bound.
    private let listening = SetOnce<LiveServer>()

    /// The connections the pipeline owns; each connects on first use, and all are closed when it stops.
    struct Resources: Sendable {
        let reader: RedisConnection
        let timingReader: RedisConnection
        let registry: PostgresConnection
        let snapshots: PostgresPool
        let cms: CMSClient

        func close() async {
            await self.reader.close()
            await self.timingReader.close()
            await self.registry.close()
            await self.snapshots.close()
            try? await self.cms.shutdown()
        }
    }

    public init(configuration: FlowrunConfiguration, flow: PipelineConfiguration) throws {
        let settings = configuration.pipelines[Self.self]
        let postgres = configuration.postgres.url.absoluteString
        let resources = Resources(
            reader: try RedisConnection(url: configuration.redis.url.absoluteString, name: "live-read"),
            timingReader: try RedisConnection(url: configuration.redis.url.absoluteString, name: "live-timing-read"),
            registry: PostgresConnection(url: postgres, name: "live-registry"),
            snapshots: PostgresPool(url: postgres, size: 2, name: "live-snapshot"),
            cms: CMSClient(
                configuration: .init(baseURL: settings.cmsURL, timeout: settings.cmsTimeout),
                logger: flow.logger,
                metricsFactory: flow.metricsFactory
            )
        )
        self.settings = settings
        self.resources = resources
        self.logger = flow.logger
        self.metricsFactory = flow.metricsFactory
        let deviceEvents = DeviceEvents(
            connection: resources.registry,
            refresh: settings.refresh,
            logger: flow.logger,
            metricsFactory: flow.metricsFactory
        )
        self.deviceEvents = deviceEvents
        let (publisher, stats) = (self.publisher, self.stats)
        self.pipeline = Pipeline(Self.name, configuration: flow) {
            LiveStreamSource(
                redis: resources.reader,
                settings: .init(
                    stream: settings.stream,
                    group: settings.group(instance: configuration.instance),
                    consumer: configuration.instance,
                    readCount: settings.readCount,
                    block: settings.block
                )
            )
            Decode().onError(.deadLetter { ReportMalformed() })
            FlagFaults(judge: FaultJudge(rules: FaultRules(configuration.faults)))
            DropFaulty()
            DropStale()
            EventLookup(registry: deviceEvents)
            FanOut(publisher: publisher, stats: stats)
        }
        self.timing = Pipeline(Self.name + "-timing", configuration: flow) {
            LiveStreamSource(
                redis: resources.timingReader,
                settings: .init(
                    stream: settings.timingStream,
                    group: settings.group(instance: configuration.instance),
                    consumer: configuration.instance,
                    readCount: settings.readCount,
                    block: settings.block
                )
            )
            DecodeCrossing().onError(.deadLetter { ReportMalformed() })
            CrossingFanOut(publisher: publisher)
        }
    }

    /// Both pipelines' tap points: `live-broadcast` and `live-broadcast-timing`.
    public var taps: [PipelineTaps] { [self.pipeline.taps, self.timing.taps] }

    /// The WebSocket server, once it listens (nil before, and after the pipeline stopped).
    public var server: LiveServer? {
        guard let server = self.listening.value, server.port != nil else { return nil }
        return server
    }

    /// The WebSocket port, once bound; waits until it is. Throws `CancellationError` when cancelled first.
    public func port() async throws -> Int {
        try await self.serving()
        return self.listening.value?.port ?? self.settings.port
    }

    public func serving() async throws {
        _ = try await self.listening.wait()
    }

    /// Loads the device→events map (failing clearly when the CMS's tables are missing), starts the WebSocket
    /// server, then runs the pipeline, the map's refresh and the server until a graceful shutdown: the
    /// pipeline drains, then the server closes every socket (1001, going away).
    public func run() async throws {
        // Snapshots and replay pages share the pool's connections.
        let stored = PostgresSnapshots(pool: self.resources.snapshots)
        let server = LiveServer(
            configuration: .init(
                port: self.settings.port,
                clientQueue: self.settings.clientQueue,
                slowClientTimeout: self.settings.slowClientTimeout,
                flushDelay: self.settings.flushDelay,
                mapTiles: self.settings.tiles
            ),
            authority: self.resources.cms,
            snapshots: stored,
            history: stored,
            logger: self.logger,
            metricsFactory: self.metricsFactory
        )
        do {
            let map = try await self.deviceEvents.load()
            self.logger.info(
                "device → event map loaded",
                metadata: ["pipeline": "\(Self.name)", "devices_in_events": "\(map.deviceCount)"]
            )
            try await server.start()
            self.publisher.attach(server.hub)
            self.listening.set(server)
            // Whichever ends first (the drained pipelines, or a failure) ends the others.
            try await runUntilFirstEnds(
                { await self.deviceEvents.run() },
                {
                    try await withGracefulShutdownHandler {
                        try await server.run()
                    } onGracefulShutdown: {
                        // The pipeline drains first; the server stays up until the pipelines have ended.
                    }
                },
                {
                    // Both drain on a graceful shutdown; the first to fail ends the other.
                    try await withThrowingTaskGroup(of: Void.self) { pipelines in
                        pipelines.addTask { try await self.pipeline.run() }
                        pipelines.addTask { try await self.timing.run() }
                        try await pipelines.waitForAllOrFirstError()
                    }
                }
            )
        } catch {
            await server.shutdown()
            await self.resources.close()
            throw error
        }
        await server.shutdown()
        await self.resources.close()
    }

    /// Live data is not durable: positions on their way to browsers are dropped; durable-write stores them.
    public var abandonedIfStoppedNow: String {
        "the positions on their way to browsers are not sent (live data is not durable; durable-write stores it)"
    }

    /// `live-broadcast: 51800 positions broadcast (998/s), 1 WebSocket connections, 100 devices in events`
    public var progress: (count: Int, line: @Sendable (_ perSecond: Int) -> String) {
        let sent = self.stats.positionsBroadcast
        let connections = self.server?.connectionCount ?? 0
        let devices = self.deviceEvents.map.deviceCount
        return (
            sent,
            { perSecond in
                "live-broadcast: \(sent) positions broadcast (\(perSecond)/s), \(connections) WebSocket connections,"
                    + " \(devices) devices in events"
            }
        )
    }

    public static func summary(of configuration: FlowrunConfiguration) -> KeyValuePairs<String, String> {
        let settings = configuration.pipelines[Self.self]
        return [
            "stream": settings.stream, "timing_stream": settings.timingStream,
            "group": settings.group(instance: configuration.instance),
            "consumer": configuration.instance, "port": "\(settings.port)", "cms": "\(settings.cmsURL)",
        ]
    }
}

/// The kind, by a name the settings struct of the same name does not hide.
private typealias LiveBroadcastKind = LiveBroadcast

extension FlowrunConfiguration.Pipelines {
    /// `pipelines.live-broadcast`: the settings of ``LiveBroadcast``.
    public var liveBroadcast: LiveBroadcast {
        get { self[LiveBroadcastKind.self] }
        set { self[LiveBroadcastKind.self] = newValue }
    }
}
