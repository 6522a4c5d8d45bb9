import Flow
import Logging

/// Reads the telemetry stream for a live feed (CONTRACT §1): new entries only, in a consumer group of this
/// instance's own, acknowledged on read. live-broadcast's source.
///
/// At every start the group is placed at the stream's end (`XGROUP CREATE … $ MKSTREAM`, or `XGROUP SETID
/// … $` when it exists), so a restarted instance never replays history to browsers. Reads use `NOACK`:
/// live data is not durable data, so nothing is left in a pending list. A broken connection is
/// re-established as ``reconnect`` says and reading goes on from where the group stands (a short outage's
/// entries are still sent; they are recent).
///
/// - Important: Entries that arrive while nobody reads are skipped at the next start, by design: the
///   durable-write pipeline is the one that must see every entry.
public struct LiveStreamSource: Stage {
    public typealias Input = Never
    public typealias Output = StreamEntry

    /// What the source reads, and how. The defaults live in the configuration (`pipelines.yaml`), not here.
    public struct Settings: Sendable, Hashable {
        public var stream: String
        /// This instance's own group, e.g. `live-broadcast-<instance>`.
        public var group: String
        public var consumer: String
        /// Entries per read (`COUNT`).
        public var readCount: Int
        /// How long a read waits for new entries; also bounds how long a drain waits for the source.
        public var block: Duration

        public init(stream: String, group: String, consumer: String, readCount: Int, block: Duration) {
            self.stream = stream
            self.group = group
            self.consumer = consumer
            self.readCount = readCount
            self.block = block
        }
    }

    let redis: any StreamCommands
    let settings: Settings
    let reconnect: Retry

    /// - Parameter reconnect: how failed reads are retried. Default: ``Flow/Retry/forever``.
    public init(redis: any StreamCommands, settings: Settings, reconnect: Retry = .forever) {
        self.redis = redis
        self.settings = settings
        self.reconnect = reconnect
    }

    public func run(_ input: Inbox<Never>, _ output: Outbox<StreamEntry>, _ context: StageContext) async throws {
        var positioned = false
        let read = GroupRead(
            stream: self.settings.stream,
            group: self.settings.group,
            consumer: self.settings.consumer,
            position: .new,
            count: self.settings.readCount,
            block: self.settings.block,
            noAck: true
        )
        while !context.isStopping {
            let page = try await context.retrying(
                "read the stream",
                self.reconnect,
                onFailure: { error in
                    // The group may have been deleted meanwhile: make sure it exists again (at the end).
                    if (error as? RedisError)?.serverCode == "NOGROUP" { positioned = false }
                },
                attempt: {
                    if !positioned {
                        try await self.placeGroupAtEnd(logger: context.logger)
                        positioned = true
                    }
                    return try await self.redis.readGroup(read)
                }
            )
            try await output.send(contentsOf: page.entries)
        }
    }

    private func placeGroupAtEnd(logger: Logger) async throws(RedisError) {
        if try await !self.redis.createGroup(self.settings.group, on: self.settings.stream, at: .end) {
            try await self.redis.moveGroupToEnd(self.settings.group, on: self.settings.stream)
        }
        logger.info(
            "reading new entries from the stream's end",
            metadata: ["stream": "\(self.settings.stream)", "group": "\(self.settings.group)"]
        )
    }
}
