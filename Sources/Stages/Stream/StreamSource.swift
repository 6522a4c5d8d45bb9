import Flow
import Logging

/// Reads the telemetry stream as one consumer of a consumer group (CONTRACT §1): durable-write's source.
///
/// On start it creates the group (`XGROUP CREATE … MKSTREAM`; an existing group is fine) at
/// ``Settings/startAt``. Then, in a loop until the pipeline drains:
/// 1. this consumer's own pending entries (`XREADGROUP … 0`): what it read before a restart or a lost
///    reply and never acknowledged;
/// 2. entries idle longer than ``Settings/claimIdle`` in the group's pending list (`XPENDING … IDLE`, then
///    `XCLAIM` with that min-idle time, so an entry read or acknowledged meanwhile is not taken): what a
///    dead consumer left behind, and this consumer's own entries that were left pending to be delivered
///    again — but never one still in flight here (``InFlightEntries``). A look reads one page (`read_count`
///    entries) of that list; after a full page the next look comes at once, for the page after it, before
///    any new entry is read, so a dead consumer's backlog is claimed as fast as the pipeline takes it; after
///    a shorter page the pass ends, and the next one starts from the list's oldest entry `claimIdle / 2`
///    later (``ClaimCadence``), so every idle entry comes round however many keep becoming idle;
/// 3. new entries (`XREADGROUP … BLOCK … >`).
///
/// Metrics (``StreamSourceMetrics``): `flowrun_stream_claimed_total{pipeline}`, and per consumer of the group
/// `flowrun_stream_pending_entries` and `flowrun_stream_pending_oldest_seconds`, set at the start of each
/// claim pass and at the end of one that went on page after page.
///
/// Each entry carries its delivery count, which the dead-letter stage reads. A broken connection is
/// re-established as ``Settings/reconnect`` says, and reading starts again at step 1, so an entry delivered
/// in a reply that was lost is read again rather than lost.
///
/// - Important: The source only reads. Every entry it sends on is recorded in `inFlight` first; an entry
///   leaves this consumer's pending list only when a later stage acknowledges it (after its row is stored,
///   or after it was dead-lettered).
public struct StreamSource: Stage {
    public typealias Input = Never
    public typealias Output = StreamEntry

    /// What the source reads, and how. The defaults live in the configuration (`pipelines.yaml`), not here.
    public struct Settings: Sendable, Hashable {
        public var stream: String
        public var group: String
        /// This consumer's name in the group: the instance id, stable across restarts.
        public var consumer: String
        /// Where a group created now starts.
        public var startAt: GroupStart
        /// Entries per read (`COUNT`).
        public var readCount: Int
        /// How long a read waits for new entries; also bounds how long a drain waits for the source.
        public var block: Duration
        /// Entries pending this long with any consumer are claimed.
        public var claimIdle: Duration

        public init(
            stream: String,
            group: String,
            consumer: String,
            startAt: GroupStart,
            readCount: Int,
            block: Duration,
            claimIdle: Duration
        ) {
            self.stream = stream
            self.group = group
            self.consumer = consumer
            self.startAt = startAt
            self.readCount = readCount
            self.block = block
            self.claimIdle = claimIdle
        }
    }

    let redis: any StreamCommands
    let settings: Settings
    let inFlight: InFlightEntries
    let reconnect: Retry

    /// - Parameters:
    ///   - inFlight: where the entries read and not yet finished with are recorded (see ``InFlightEntries``).
    ///   - reconnect: how failed reads are retried. Default: ``Flow/Retry/forever``.
    public init(redis: any StreamCommands, settings: Settings, inFlight: InFlightEntries, reconnect: Retry = .forever) {
        self.redis = redis
        self.settings = settings
        self.inFlight = inFlight
        self.reconnect = reconnect
    }

    public func run(_ input: Inbox<Never>, _ output: Outbox<StreamEntry>, _ context: StageContext) async throws {
        var reader = StreamReader(redis: self.redis, settings: self.settings, logger: context.logger)
        var cadence = ClaimCadence(interval: self.settings.claimIdle / 2)
        var metrics = StreamSourceMetrics(pipeline: context.pipelineName, factory: context.metricsFactory)
        while !context.isStopping {
            let entries = try await context.retrying(
                "read the stream",
                self.reconnect,
                onFailure: { _ in reader.restartFromPending() },
                attempt: {
                    try await reader.ensureGroup()
                    if let entries = try await reader.readPending(skipping: self.inFlight) { return entries }
                    let look = cadence.look(at: context.clock.now)
                    if look == .none { return try await reader.readNew() }
                    if look == .first { metrics.record(try await reader.checkPending()) }
                    let claimed = try await reader.claimIdle(skipping: self.inFlight)
                    metrics.recordClaimed(claimed.entries.count)
                    cadence.looked(foundFullPage: claimed.foundFullPage, at: context.clock.now)
                    // A pass that went on page after page ends: the gauges show what it left.
                    if look == .next, !claimed.foundFullPage { metrics.record(try await reader.checkPending()) }
                    return claimed.entries
                }
            )
            self.inFlight.insert(idsOf: entries)
            try await output.send(contentsOf: entries)
        }
    }
}
