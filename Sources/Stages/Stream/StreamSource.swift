import Flow
import Logging

/// Reads the telemetry stream as one consumer of a consumer group (CONTRACT §1): durable-write's source.
///
/// On start it creates the group (`XGROUP CREATE … MKSTREAM`; an existing group is fine) at
/// ``Settings/startAt``. Then, in a loop until the pipeline drains:
/// 1. this consumer's own pending entries (`XREADGROUP … 0`): what it read before a restart or a lost
///    reply and never acknowledged;
/// 2. entries idle longer than ``Settings/claimIdle`` in the group's pending list (`XPENDING … IDLE`, then
///    `XCLAIM`), at most every `claimIdle / 2`: what a dead consumer left behind, and this consumer's own
///    entries that were left pending to be delivered again — but never one still in flight here
///    (``InFlightEntries``). A look reads one page (`read_count` entries) of that list, the next look the
///    page after a full one, and after a shorter one the list from its oldest entry again, so every idle
///    entry comes round however many keep becoming idle;
/// 3. new entries (`XREADGROUP … BLOCK … >`).
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
        var lastClaim: Duration?
        while !context.isStopping {
            let entries = try await context.retrying(
                "read the stream",
                self.reconnect,
                onFailure: { _ in reader.restartFromPending() },
                attempt: {
                    try await reader.ensureGroup()
                    if let entries = try await reader.readPending(skipping: self.inFlight) { return entries }
                    let now = context.clock.now
                    if lastClaim.map({ now - $0 >= self.settings.claimIdle / 2 }) ?? true {
                        lastClaim = now
                        return try await reader.claimIdle(skipping: self.inFlight)
                    }
                    return try await reader.readNew()
                }
            )
            self.inFlight.insert(idsOf: entries)
            try await output.send(contentsOf: entries)
        }
    }
}
