import Flow
import Logging

/// Reads the telemetry stream for a live feed (CONTRACT §1): new entries only, in a consumer group of this
/// instance's own, acknowledged on read.
///
/// At every start the group is placed at the stream's end (`XGROUP CREATE … $ MKSTREAM`, or `XGROUP SETID
/// … $` when it exists), so a restarted instance never replays history to browsers. Reads use `NOACK`:
/// live data is not durable data, so nothing is left in a pending list. A broken connection is
/// re-established with backoff and reading goes on from where the group stands (a short outage's entries
/// are still sent; they are recent).
///
/// - Important: Entries that arrive while nobody reads are skipped at the next start, by design: the
///   durable-write pipeline is the one that must see every entry.
public struct LiveStreamSource: Stage {
    public typealias Input = Never
    public typealias Output = StreamEntry

    public struct Settings: Sendable {
        public var stream: String
        /// This instance's own group, e.g. `live-broadcast-<instance>`.
        public var group: String
        public var consumer: String
        /// Entries per read. Default: 500.
        public var readCount: Int = 500
        /// How long a read waits for new entries; also bounds how long a drain waits for the source. Default: 1 s.
        public var block: Duration = .seconds(1)
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

    public init(redis: RedisConnection, settings: Settings) {
        self.redis = redis
        self.settings = settings
    }

    public var name: String { "live-stream-source" }

    public func run(_ input: Inbox<Never>, _ output: Outbox<StreamEntry>, _ context: StageContext) async throws {
        var positioned = false
        var failures = 0
        while !context.isStopping {
            do {
                if !positioned {
                    try await self.placeGroupAtEnd(logger: context.logger)
                    positioned = true
                }
                let page = try await self.redis.send(
                    [
                        "XREADGROUP", "GROUP", RedisArgument(self.settings.group),
                        RedisArgument(self.settings.consumer), "COUNT", RedisArgument(String(self.settings.readCount)),
                        "BLOCK", RedisArgument(String(self.settings.block.milliseconds)), "NOACK", "STREAMS",
                        RedisArgument(self.settings.stream), ">",
                    ],
                    blocking: self.settings.block,
                    decode: StreamReader.entries(inReadReply:)
                )
                try await output.send(contentsOf: page.entries)
                if failures > 0 {
                    context.logger.info("reading the stream again", metadata: ["after_failures": "\(failures)"])
                    failures = 0
                }
            } catch let error as RedisError {
                failures += 1
                // The group may have been deleted meanwhile: make sure it exists again (at the end).
                if error.serverCode == "NOGROUP" { positioned = false }
                let delay = self.settings.reconnect.delay(afterAttempt: failures)
                context.logger.warning(
                    "cannot read the stream; retrying",
                    metadata: ["error": "\(error)", "retry_in": "\(delay)", "attempt": "\(failures)"]
                )
                try await context.clock.sleep(for: delay)
            }
        }
    }

    private func placeGroupAtEnd(logger: Logger) async throws(RedisError) {
        let stream = RedisArgument(self.settings.stream)
        let group = RedisArgument(self.settings.group)
        do {
            try await self.redis.send(["XGROUP", "CREATE", stream, group, "$", "MKSTREAM"])
        } catch  where error.serverCode == "BUSYGROUP" {
            try await self.redis.send(["XGROUP", "SETID", stream, group, "$"])
        }
        logger.info(
            "reading new entries from the stream's end",
            metadata: ["stream": "\(self.settings.stream)", "group": "\(self.settings.group)"]
        )
    }
}
