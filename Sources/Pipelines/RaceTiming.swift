import Flow
import Logging
import ServiceLifecycle
import Stages

/// race-timing: every competitor timed at every checkpoint of its event's course, live, correctly whatever
/// order the positions arrive in (CONTRACT §6).
///
/// ```
/// stream-source → decode → time-crossings → write-crossings → publish-crossings → acknowledge
///                    └─ acknowledge-malformed
/// ```
///
/// Reads the stream in a durable consumer group of its own (`race-timing`, from the stream's beginning by
/// default; own pending entries first, idle ones claimed, as durable-write). Each position is judged in its
/// device's `ts` order (§6.2) and timed against the course of every event its device is in (§6.3), from the
/// registry refreshed every `refresh`. The changes of the results are written to the `crossings` table
/// (§6.4), then appended to the crossings stream (§6.5), then the entries are acknowledged.
///
/// - Important: Nothing is acknowledged before the table and the stream hold its consequences. After a
///   restart (SIGKILL included) each event is rebuilt from `positions` and `crossings` before its first
///   position, so no crossing is lost or doubled. The rebuild reads what durable-write stored, once
///   durable-write's group (`pipelines.durable-write.group`, on any instance) has acknowledged every entry
///   race-timing's group has read: run durable-write on the same stream for it to be complete. A stream no
///   group stores, or durable-write on another stream, is rebuilt from what `positions` holds (logged).
public final class RaceTiming: PipelineKind, Sendable {
    public typealias Settings = FlowrunConfiguration.Pipelines.RaceTiming
    public static let name = "race-timing"

    public let pipeline: Pipeline<Never>
    public let stats = TimingStats()
    public let inFlight = InFlightEntries()
    /// The events timed, refreshed from the registry.
    public let registry: TimedEventsRegistry
    private let resources: Resources
    private let settings: Settings
    private let logger: Logger

    struct Resources: Sendable {
        let reader: RedisConnection
        let writer: RedisConnection
        let registry: PostgresConnection
        let store: PostgresConnection

        func close() async {
            await self.reader.close()
            await self.writer.close()
            await self.registry.close()
            await self.store.close()
        }
    }

    public init(configuration: FlowrunConfiguration, flow: PipelineConfiguration) throws {
        let settings = configuration.pipelines[Self.self]
        let redis = configuration.redis.url.absoluteString
        let postgres = configuration.postgres.url.absoluteString
        let resources = Resources(
            reader: try RedisConnection(url: redis, name: "rt-read"),
            writer: try RedisConnection(url: redis, name: "rt-write"),
            registry: PostgresConnection(url: postgres, name: "rt-registry"),
            store: PostgresConnection(url: postgres, name: "rt-store")
        )
        self.settings = settings
        self.resources = resources
        self.logger = flow.logger
        let registry = TimedEventsRegistry(
            reader: PostgresTimedEvents(connection: resources.registry),
            refresh: settings.refresh,
            logger: flow.logger,
            metricsFactory: flow.metricsFactory
        )
        self.registry = registry
        let store = PostgresTimingStore(connection: resources.store)
        let (inFlight, stats) = (self.inFlight, self.stats)
        let track = TrackSettings(
            rules: FaultRules(configuration.faults),
            maxGap: settings.maxGap,
            lateWindow: settings.lateWindow,
            maxFixesPerDevice: settings.window.maxPositionsPerDevice
        )
        let weight = 2 * settings.readCount
        let storage = Self.storageProgress(configuration, redis: resources.writer)
        if storage == nil {
            flow.logger.notice(
                """
                durable-write reads another stream than race-timing: an event's rebuild after a restart reads \
                what `positions` holds without waiting for it to be stored, and may miss positions race-timing \
                had timed (`flowrun timing recompute` repairs that)
                """,
                metadata: [
                    "pipeline": "\(Self.name)", "stream": "\(settings.stream)",
                    "durable_write_stream": "\(configuration.pipelines.durableWrite.stream)",
                ]
            )
        }
        self.pipeline = Pipeline(Self.name, configuration: flow) {
            StreamSource(
                redis: resources.reader,
                settings: .init(
                    stream: settings.stream,
                    group: settings.group,
                    consumer: configuration.instance,
                    startAt: settings.startAt,
                    readCount: settings.readCount,
                    block: settings.block,
                    claimIdle: settings.claimIdle
                ),
                inFlight: inFlight
            )
            Decode()
                .onError(
                    .deadLetter {
                        AcknowledgeMalformed(
                            redis: resources.writer,
                            stream: settings.stream,
                            group: settings.group,
                            inFlight: inFlight
                        )
                    }
                )
            TimeCrossings(
                registry: registry,
                store: store,
                settings: track,
                maxFixes: settings.window.maxPositions,
                stats: stats,
                storage: storage
            )
            .buffer(.watermark(low: weight, high: 2 * weight, maxChunk: weight))
            WriteCrossings(store: store)
            PublishCrossings(redis: resources.writer, stream: settings.crossingsStream, store: store, stats: stats)
            Acknowledge<TimingBatch>(
                redis: resources.writer,
                stream: settings.stream,
                group: settings.group,
                inFlight: inFlight
            )
        }
    }

    /// What a rebuild waits for: durable-write's group on the same stream having acknowledged everything
    /// race-timing's group has read. Nil when durable-write reads another stream (its entry ids say nothing
    /// of this one).
    static func storageProgress(_ configuration: FlowrunConfiguration, redis: RedisConnection) -> RedisStorageProgress?
    {
        let (timing, storing) = (configuration.pipelines.raceTiming, configuration.pipelines.durableWrite)
        guard timing.stream == storing.stream else { return nil }
        return RedisStorageProgress(
            redis: redis,
            stream: timing.stream,
            timingGroup: timing.group,
            storingGroup: storing.group
        )
    }

    /// Appends the crossing changes a crash kept from the stream, loads the events to time (failing clearly
    /// when the registry is missing), then runs the pipeline and the registry's refresh until the pipeline has
    /// drained.
    public func run() async throws {
        do {
            let leftovers = try await PublishCrossings.publishLeftovers(
                store: PostgresTimingStore(connection: self.resources.store),
                redis: self.resources.writer,
                stream: self.settings.crossingsStream
            )
            if leftovers > 0 {
                self.logger.notice(
                    "crossing changes a stop kept from the crossings stream appended",
                    metadata: ["pipeline": "\(Self.name)", "changes": "\(leftovers)"]
                )
            }
            let events = try await self.registry.load()
            self.settings.logStart(events: events, logger: self.logger)
            // The drained pipeline (or a failure) ends the refresh.
            try await runUntilFirstEnds(
                { await self.registry.run() },
                { try await self.pipeline.run() }
            )
        } catch {
            await self.resources.close()
            throw error
        }
        await self.resources.close()
    }

    public var abandonedIfStoppedNow: String {
        "\(self.inFlight.count) entries read but not yet timed stay pending in stream \(self.settings.stream)"
            + " (group \(self.settings.group)): they are timed again at the next start, and nothing untimed was"
            + " acknowledged"
    }

    /// `race-timing: 52300 positions timed (1004/s), 88 crossings counted (96 changes), 0 too late`
    public var progress: (count: Int, line: @Sendable (_ perSecond: Int) -> String) {
        let (positions, changes, tooLate) = (self.stats.positions, self.stats.changes, self.stats.tooLate)
        let crossings = self.stats.crossings
        return (
            positions,
            { perSecond in
                "race-timing: \(positions) positions timed (\(perSecond)/s), \(crossings) crossings counted"
                    + " (\(changes) changes), \(tooLate) too late"
            }
        )
    }

    public static func summary(of configuration: FlowrunConfiguration) -> KeyValuePairs<String, String> {
        let settings = configuration.pipelines[Self.self]
        return [
            "stream": settings.stream, "group": settings.group, "consumer": configuration.instance,
            "crossings_stream": settings.crossingsStream,
        ]
    }
}

extension FlowrunConfiguration.Pipelines.RaceTiming {
    func logStart(events: TimedEvents, logger: Logger) {
        logger.info(
            "events to time loaded",
            metadata: [
                "pipeline": "\(RaceTiming.name)", "timed": "\(events.events.count)",
                "not_timed": "\(events.invalid.count)",
            ]
        )
    }
}

private typealias RaceTimingKind = RaceTiming

extension FlowrunConfiguration.Pipelines {
    /// `pipelines.race-timing`: the settings of ``RaceTiming``.
    public var raceTiming: RaceTiming {
        get { self[RaceTimingKind.self] }
        set { self[RaceTimingKind.self] = newValue }
    }
}
