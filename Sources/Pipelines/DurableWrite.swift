import Flow
import ServiceLifecycle
import Stages

/// durable-write: every position of the stream lands in PostgreSQL exactly once, and no entry is
/// acknowledged before its position is stored.
///
/// ```
/// stream-source → decode → device-state → flag-faults → batch → write-positions → acknowledge
///                    └─ dead-letter (malformed entries, after max_deliveries)
/// ```
///
/// Each position is judged by the faulty-fix rules (`faults:`, CONTRACT §6.2) when it arrives, against what
/// the pipeline has seen of its device, and stored with `faulty` and `fault`; a faulty position is stored
/// like any other, never dropped.
///
/// - Important: An entry is acknowledged only in two cases: its row exists (the batch it belongs to was
///   written: inserted now or already there), or it was malformed, delivered `max_deliveries` times and
///   appended to the dead-letter stream. A failed write is retried with backoff until it succeeds (or the
///   drain deadline cancels it); its entries stay pending meanwhile, and backpressure stops the reading.
public final class DurableWrite: PipelineKind, Sendable {
    public typealias Settings = FlowrunConfiguration.Pipelines.DurableWrite
    public static let name = "durable-write"

    public let pipeline: Pipeline<Never>
    /// Running totals, for the progress line.
    public let stats = DurableWriteStats()
    /// Entries read and not yet acknowledged (stored or dead-lettered): what a forced stop leaves pending.
    public let inFlight = InFlightEntries()
    private let resources: Resources
    private let settings: Settings

    /// The connections the pipeline owns; each connects on first use, and all are closed when it stops.
    struct Resources: Sendable {
        let reader: RedisConnection
        let acknowledger: RedisConnection
        let writers: PostgresPool
        let history: PostgresConnection

        init(_ configuration: FlowrunConfiguration, writers: Int) throws(RedisError) {
            let redis = configuration.redis.url.absoluteString
            let postgres = configuration.postgres.url.absoluteString
            self.reader = try RedisConnection(url: redis, name: "dw-read")
            self.acknowledger = try RedisConnection(url: redis, name: "dw-ack")
            self.writers = PostgresPool(url: postgres, size: writers, name: "dw-write")
            self.history = PostgresConnection(url: postgres, name: "dw-seed")
        }

        func close() async {
            await self.reader.close()
            await self.acknowledger.close()
            await self.writers.close()
            await self.history.close()
        }
    }

    public convenience init(configuration: FlowrunConfiguration, flow: PipelineConfiguration) throws {
        try self.init(configuration: configuration, flow: flow, deviceState: nil)
    }

    /// - Parameters:
    ///   - deviceState: the per-device state to start from; nil: an empty one of the configured size.
    ///   - now: the clock `flag-faults` judges `future` by, µs since the epoch. Default: the system's.
    public init(
        configuration: FlowrunConfiguration,
        flow: PipelineConfiguration,
        deviceState: DeviceStateStore?,
        now: @escaping @Sendable () -> Int64 = FlagFaults.systemClock
    ) throws {
        let settings = configuration.pipelines[Self.self]
        let resources = try Resources(configuration, writers: settings.writers)
        self.settings = settings
        self.resources = resources
        let stream = settings.stream
        let group = settings.group
        let inFlight = self.inFlight
        let stats = self.stats
        let batchWeight = settings.writers * settings.batch.max
        self.pipeline = Pipeline(Self.name, configuration: flow) {
            StreamSource(
                redis: resources.reader,
                settings: .init(
                    stream: stream,
                    group: group,
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
                        DeadLetter(
                            redis: resources.acknowledger,
                            settings: .init(
                                stream: stream,
                                group: group,
                                deadLetterStream: settings.deadLetterStreamName,
                                maxDeliveries: settings.maxDeliveries
                            ),
                            inFlight: inFlight,
                            stats: stats
                        )
                    }
                )
            DeviceState(
                store: deviceState ?? DeviceStateStore(capacity: settings.deviceState.capacity),
                history: LatestStoredPositions(connection: resources.history)
            )
            FlagFaults(
                judge: FaultJudge(rules: FaultRules(configuration.faults), capacity: settings.deviceState.capacity),
                now: now
            )
            Batch<PositionEntry>(max: settings.batch.max, within: settings.batch.within)
            // A batch weighs its positions: a few batches per writer keep the backlog in Redis, not in memory,
            // when PostgreSQL is slower than the stream.
            WritePositions(store: PositionWriter(pool: resources.writers), writers: settings.writers, stats: stats)
                .buffer(.watermark(low: batchWeight, high: 2 * batchWeight, maxChunk: batchWeight))
            Acknowledge<WrittenBatch>(redis: resources.acknowledger, stream: stream, group: group, inFlight: inFlight)
                .buffer(.watermark(low: batchWeight, high: 2 * batchWeight, maxChunk: batchWeight))
        }
    }

    public func run() async throws {
        do {
            try await self.pipeline.run()
        } catch {
            await self.resources.close()
            throw error
        }
        await self.resources.close()
    }

    /// `37 entries read but not yet stored stay pending in stream telemetry:t (group processor): they are
    /// delivered again at the next start, and nothing unstored was acknowledged`.
    public var abandonedIfStoppedNow: String {
        "\(self.inFlight.count) entries read but not yet stored stay pending in stream \(self.settings.stream)"
            + " (group \(self.settings.group)): they are delivered again at the next start, and nothing unstored was"
            + " acknowledged"
    }

    /// `durable-write: 52300 positions stored (1004/s), 512 of them duplicates, 3 entries dead-lettered`
    public var progress: (count: Int, line: @Sendable (_ perSecond: Int) -> String) {
        let stored = self.stats.inserted + self.stats.duplicates
        let (duplicates, deadLettered) = (self.stats.duplicates, self.stats.deadLettered)
        return (
            stored,
            { perSecond in
                "durable-write: \(stored) positions stored (\(perSecond)/s), \(duplicates) of them duplicates,"
                    + " \(deadLettered) entries dead-lettered"
            }
        )
    }

    public static func summary(of configuration: FlowrunConfiguration) -> KeyValuePairs<String, String> {
        let settings = configuration.pipelines[Self.self]
        return [
            "stream": settings.stream, "group": settings.group, "consumer": configuration.instance,
            "dead_letter_stream": settings.deadLetterStreamName,
        ]
    }
}

/// The kind, by a name the settings struct of the same name does not hide.
private typealias DurableWriteKind = DurableWrite

extension FlowrunConfiguration.Pipelines {
    /// `pipelines.durable-write`: the settings of ``DurableWrite``.
    public var durableWrite: DurableWrite {
        get { self[DurableWriteKind.self] }
        set { self[DurableWriteKind.self] = newValue }
    }
}
