import Flow
import Logging

/// Reads the telemetry stream as one consumer of a consumer group (CONTRACT §1).
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
/// Each entry carries its delivery count, which the dead-letter policy reads. A broken connection is
/// re-established with backoff, and reading starts again at step 1, so an entry delivered in a reply
/// that was lost is read again rather than lost.
///
/// - Important: The source only reads. An entry leaves this consumer's pending list only when a later
///   stage acknowledges it (after its row is stored, or after it was dead-lettered).
public struct StreamSource: Stage {
    public typealias Input = Never
    public typealias Output = StreamEntry

    public struct Settings: Sendable {
        public var stream: String
        public var group: String
        /// This consumer's name in the group: the instance id, stable across restarts.
        public var consumer: String
        /// Where a group created now starts: `"0"` (the beginning, the default), `"$"` (the end) or an id.
        public var startAt: String = "0"
        /// Entries per read. Default: 500.
        public var readCount: Int = 500
        /// How long a read waits for new entries; also bounds how long a drain waits for the source. Default: 1 s.
        public var block: Duration = .seconds(1)
        /// Entries pending this long with any consumer are claimed. Default: 30 s.
        public var claimIdle: Duration = .seconds(30)
        /// The wait before reconnecting after a failure, growing to `maximum`.
        public var reconnect: Backoff = .exponential(initial: .milliseconds(100), maximum: .seconds(5))

        public init(stream: String, group: String, consumer: String) {
            self.stream = stream
            self.group = group
            self.consumer = consumer
        }
    }

    let redis: RedisConnection
    let settings: Settings
    let inFlight: InFlightEntries

    public init(redis: RedisConnection, settings: Settings, inFlight: InFlightEntries) {
        self.redis = redis
        self.settings = settings
        self.inFlight = inFlight
    }

    public var name: String { "stream-source" }

    public func run(_ input: Inbox<Never>, _ output: Outbox<StreamEntry>, _ context: StageContext) async throws {
        var reader = StreamReader(redis: self.redis, settings: self.settings, logger: context.logger)
        let inFlight = self.inFlight
        let send = { (entries: [StreamEntry]) async throws in
            inFlight.insert(idsOf: entries)
            try await output.send(contentsOf: entries)
        }
        var failures = 0
        var lastClaim: ContinuousClock.Instant?
        while !context.isStopping {
            do {
                try await reader.ensureGroup()
                if let entries = try await reader.readPending(skipping: inFlight) {
                    try await send(entries)
                } else if lastClaim.map({ $0.duration(to: .now) >= self.settings.claimIdle / 2 }) ?? true {
                    lastClaim = .now
                    try await send(try await reader.claimIdle(skipping: inFlight))
                } else {
                    try await send(try await reader.readNew())
                }
                if failures > 0 {
                    context.logger.info("reading the stream again", metadata: ["after_failures": "\(failures)"])
                    failures = 0
                }
            } catch let error as RedisError {
                failures += 1
                reader.restartFromPending()
                let delay = self.settings.reconnect.delay(afterAttempt: failures)
                context.logger.warning(
                    "cannot read the stream; retrying",
                    metadata: ["error": "\(error)", "retry_in": "\(delay)", "attempt": "\(failures)"]
                )
                try await context.clock.sleep(for: delay)
            }
        }
    }
}
