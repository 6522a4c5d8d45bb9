import CoreMetrics
import Flow
import Logging
import Metrics
import ServiceLifecycle
import Stages
import Synchronization

/// durable-write: every position of the stream lands in PostgreSQL exactly once, and no entry is
/// acknowledged before its position is stored.
///
/// ```
/// stream-source → decode → device-state → batch → write-positions → acknowledge
///                    └─ dead-letter (malformed entries, after max_deliveries)
/// ```
///
/// - Important: An entry is acknowledged only in two cases: its row exists (the batch it belongs to was
///   written: inserted now or already there), or it was malformed, delivered `max_deliveries` times and
///   appended to the dead-letter stream. A failed write is retried with backoff until it succeeds (or the
///   drain deadline cancels it); its entries stay pending meanwhile, and backpressure stops the reading.
public struct DurableWrite: Service {
    public static let name = FlowrunConfiguration.Pipelines.DurableWrite.name

    public let pipeline: Pipeline<Never>
    /// Running totals, for the progress line.
    public let stats = DurableWriteStats()
    /// Entries read and not yet acknowledged (stored or dead-lettered): what a forced exit leaves pending.
    public let inFlight = InFlightEntries()
    private let resources: Resources
    /// The stream and the group it reads, for what it says when stopped.
    private let source: (stream: String, group: String)

    /// The connections the pipeline owns, closed when it stops.
    struct Resources: Sendable {
        let reader: RedisConnection
        let acknowledger: RedisConnection
        let writers: PostgresPool
        let seeder: PostgresConnection

        func close() async {
            await self.reader.close()
            await self.acknowledger.close()
            await self.writers.close()
            await self.seeder.close()
        }
    }

    public init(
        configuration: FlowrunConfiguration,
        flow: PipelineConfiguration,
        deviceState: DeviceStateStore? = nil
    ) throws(RedisError) {
        let settings = configuration.pipelines.durableWrite
        let resources = Resources(
            reader: try RedisConnection(url: configuration.redis.url.absoluteString, name: "dw-read"),
            acknowledger: try RedisConnection(url: configuration.redis.url.absoluteString, name: "dw-ack"),
            writers: PostgresPool(
                url: configuration.postgres.url.absoluteString,
                size: settings.writers,
                name: "dw-write"
            ),
            seeder: PostgresConnection(url: configuration.postgres.url.absoluteString, name: "dw-seed")
        )
        self.resources = resources
        self.source = (settings.stream, settings.group)
        self.pipeline = Self.makePipeline(
            settings: settings,
            consumer: configuration.instance,
            resources: resources,
            deviceState: deviceState ?? DeviceStateStore(capacity: settings.deviceState.capacity),
            stats: self.stats,
            inFlight: self.inFlight,
            flow: flow
        )
    }

    /// `37 entries read but not yet stored stay pending in stream telemetry:t (group processor): they are
    /// delivered again at the next start, and nothing unstored was acknowledged`.
    public var abandonedIfStoppedNow: String {
        "\(self.inFlight.count) entries read but not yet stored stay pending in stream \(self.source.stream)"
            + " (group \(self.source.group)): they are delivered again at the next start, and nothing unstored was"
            + " acknowledged"
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

    static func makePipeline(
        settings: FlowrunConfiguration.Pipelines.DurableWrite,
        consumer: String,
        resources: Resources,
        deviceState: DeviceStateStore,
        stats: DurableWriteStats,
        inFlight: InFlightEntries,
        flow: PipelineConfiguration
    ) -> Pipeline<Never> {
        var source = StreamSource.Settings(stream: settings.stream, group: settings.group, consumer: consumer)
        source.startAt = settings.startAt.redisID
        source.readCount = settings.readCount
        source.block = settings.block
        source.claimIdle = settings.claimIdle
        let acknowledger = Acknowledger(
            redis: resources.acknowledger,
            stream: settings.stream,
            group: settings.group,
            inFlight: inFlight
        )
        let deadLetters = DeadLetters(
            redis: resources.acknowledger,
            acknowledger: acknowledger,
            deadLetterStream: settings.deadLetterStreamName,
            maxDeliveries: settings.maxDeliveries
        )
        let writer = PositionWriter(pool: resources.writers)
        let metrics = DurableWriteMetrics(pipeline: Self.name, factory: flow.metricsFactory, stats: stats)
        let seeder = LatestStoredPositions(connection: resources.seeder)
        let logger = flow.logger
        let forever = Retry(maxAttempts: nil, backoff: .exponential(initial: .milliseconds(100), maximum: .seconds(5)))

        return Pipeline(Self.name, configuration: flow) {
            StreamSource(redis: resources.reader, settings: source, inFlight: inFlight)
            Map { (entry: StreamEntry) throws -> PositionEntry in
                PositionEntry(entryID: entry.id, position: try PositionDecoder.decode(entry).get())
            }
            .named("decode")
            .onError(
                .deadLetter {
                    Sink { (failed: Failed<StreamEntry>) async throws in
                        let reason =
                            (failed.error as? DecodeError).map { ($0.description, $0.reason.code) }
                            ?? ("\(failed.error)", "internal")
                        metrics.decodeErrors(reason.1).increment()
                        let outcome = try await deadLetters.handle(failed.item, reason: reason.0, code: reason.1)
                        let metadata: Logger.Metadata = [
                            "entry": "\(failed.item.id)", "deliveries": "\(failed.item.deliveries)",
                            "max_deliveries": "\(settings.maxDeliveries)", "reason": "\(reason.0)",
                        ]
                        switch outcome {
                        case .leftPending:
                            logger.warning(
                                "malformed entry left pending; it is delivered again later",
                                metadata: metadata
                            )
                        case .deadLettered:
                            metrics.deadLettered.increment()
                            stats.recordDeadLettered()
                            logger.error(
                                "malformed entry moved to the dead-letter stream",
                                metadata: metadata.merging(["dead_letter_stream": "\(settings.deadLetterStreamName)"]) {
                                    $1
                                }
                            )
                        }
                    }
                    .named("dead-letter")
                    .onError(.retry(forever))
                }
            )
            UpdateDeviceState(store: deviceState, seeder: { devices in try await seeder.latest(of: devices) })
            Batch<PositionEntry>(max: settings.batch.max, within: settings.batch.within)
            Map { (batch: [PositionEntry]) async throws -> WrittenBatch in
                let started = ContinuousClock.now
                let outcome: PositionWriter.Outcome
                do {
                    outcome = try await writer.write(batch)
                } catch {
                    // Retried below (with backoff) until stored; counted here once per failed attempt.
                    metrics.failed.increment(by: batch.count)
                    throw error
                }
                metrics.record(outcome, seconds: started.duration(to: .now))
                return WrittenBatch(entryIDs: batch.map(\.entryID), outcome: outcome)
            }
            .named("write-positions")
            .concurrency(.unordered(settings.writers))
            .onError(.retry(forever))
            // A batch weighs its positions: a few batches per writer keep the backlog in Redis, not in memory,
            // when PostgreSQL is slower than the stream.
            .buffer(
                .watermark(
                    low: settings.writers * settings.batch.max,
                    high: 2 * settings.writers * settings.batch.max,
                    maxChunk: settings.writers * settings.batch.max
                )
            )
            Sink { (written: WrittenBatch) async throws in try await acknowledger.acknowledge(written.entryIDs) }
                .named("acknowledge")
                .onError(.retry(forever))
                .buffer(.watermark(low: settings.writers, high: 2 * settings.writers, maxChunk: settings.writers))
        }
    }
}

/// durable-write's domain metrics, beside the per-stage ones Flow keeps.
struct DurableWriteMetrics: Sendable {
    let inserted: Counter
    let duplicates: Counter
    /// Positions of batches whose write failed (each failed attempt; the batch is retried).
    let failed: Counter
    let batchSeconds: CoreMetrics.Timer
    let deadLettered: Counter
    let pipeline: String
    let factory: any MetricsFactory
    let stats: DurableWriteStats

    init(pipeline: String, factory: any MetricsFactory, stats: DurableWriteStats) {
        self.pipeline = pipeline
        self.factory = factory
        self.stats = stats
        let written = "flowrun_positions_written_total"
        self.inserted = Counter(
            label: written,
            dimensions: [("pipeline", pipeline), ("result", "inserted")],
            factory: factory
        )
        self.duplicates = Counter(
            label: written,
            dimensions: [("pipeline", pipeline), ("result", "duplicate")],
            factory: factory
        )
        self.failed = Counter(
            label: written,
            dimensions: [("pipeline", pipeline), ("result", "failed")],
            factory: factory
        )
        self.batchSeconds = CoreMetrics.Timer(
            label: "flowrun_write_batch_seconds",
            dimensions: [("pipeline", pipeline)],
            factory: factory
        )
        self.deadLettered = Counter(
            label: "flowrun_dead_lettered_total",
            dimensions: [("pipeline", pipeline)],
            factory: factory
        )
    }

    func decodeErrors(_ reason: String) -> Counter {
        Counter(
            label: "flowrun_decode_errors_total",
            dimensions: [("pipeline", self.pipeline), ("reason", reason)],
            factory: self.factory
        )
    }

    func record(_ outcome: PositionWriter.Outcome, seconds: Duration) {
        self.stats.record(outcome)
        self.inserted.increment(by: outcome.inserted)
        self.duplicates.increment(by: outcome.duplicates)
        self.batchSeconds.record(duration: seconds)
    }
}

/// durable-write's running totals since start, readable at any time (for the progress line and tests).
public final class DurableWriteStats: Sendable {
    private let counts = Mutex((inserted: 0, duplicates: 0, deadLettered: 0))

    public init() {}

    public var inserted: Int { self.counts.withLock { $0.inserted } }
    public var duplicates: Int { self.counts.withLock { $0.duplicates } }
    public var deadLettered: Int { self.counts.withLock { $0.deadLettered } }

    func record(_ outcome: PositionWriter.Outcome) {
        self.counts.withLock {
            $0.inserted += outcome.inserted
            $0.duplicates += outcome.duplicates
        }
    }

    func recordDeadLettered() {
        self.counts.withLock { $0.deadLettered += 1 }
    }
}
