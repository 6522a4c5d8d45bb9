import Logging

/// The reading of a ``StreamSource``, and where it stands: reading this consumer's pending entries, claiming
/// idle ones, or reading new ones.
struct StreamReader {
    let redis: any StreamCommands
    let settings: StreamSource.Settings
    let logger: Logger
    private var groupReady = false
    /// The id after which to read this consumer's pending entries; `nil` once they are all read.
    private var pendingCursor: StreamID? = .zero
    /// Where the next look at the group's idle entries starts.
    private var claimCursor: StreamID = .zero

    init(redis: any StreamCommands, settings: StreamSource.Settings, logger: Logger) {
        self.redis = redis
        self.settings = settings
        self.logger = logger
    }

    /// After a failure: the group may have been deleted, and a lost reply may have delivered entries.
    mutating func restartFromPending() {
        self.groupReady = false
        self.pendingCursor = .zero
    }

    mutating func ensureGroup() async throws(RedisError) {
        guard !self.groupReady else { return }
        let created = try await self.redis.createGroup(
            self.settings.group,
            on: self.settings.stream,
            at: self.settings.startAt
        )
        if created {
            self.logger.info(
                "consumer group created",
                metadata: [
                    "stream": "\(self.settings.stream)", "group": "\(self.settings.group)",
                    "start_at": "\(self.settings.startAt)",
                ]
            )
        }
        self.groupReady = true
    }

    /// The next page of this consumer's own pending entries — except the ones still in flight in this
    /// instance — or `nil` when there are none left.
    mutating func readPending(skipping inFlight: InFlightEntries) async throws(RedisError) -> [StreamEntry]? {
        guard let cursor = self.pendingCursor else { return nil }
        let page = try await self.redis.readGroup(self.read(.pending(after: cursor)))
        guard let last = (page.entries.map(\.id) + page.deleted).max() else {
            self.pendingCursor = nil
            return nil
        }
        self.pendingCursor = last
        if !page.deleted.isEmpty { try await self.acknowledgeDeleted(page.deleted) }
        let unfinished = page.entries.filter { !inFlight.contains($0.id) }
        return try await self.withDeliveryCounts(unfinished, amongPendingEntries: page.entries.count)
    }

    /// One look at the group's idle entries: what it claimed, and whether it found a full page of idle entries
    /// (more may follow).
    struct ClaimLook {
        var entries: [StreamEntry]
        var foundFullPage: Bool
    }

    /// Entries idle longer than `claimIdle` in the group's pending list, now this consumer's — except the
    /// ones still in flight in this instance. Pages through the pending list across calls.
    mutating func claimIdle(skipping inFlight: InFlightEntries) async throws(RedisError) -> ClaimLook {
        let idle = try await self.redis.pending(
            PendingQuery(
                stream: self.settings.stream,
                group: self.settings.group,
                minIdle: self.settings.claimIdle,
                start: self.claimCursor,
                count: self.settings.readCount
            )
        )
        let candidates = idle.filter { !($0.consumer == self.settings.consumer && inFlight.contains($0.id)) }
        // Next time, continue after a full page; after the last one (shorter), start again from the oldest.
        // Waiting for an empty page instead would starve the oldest entries while new ones keep becoming idle
        // at the end of the list: a malformed entry left pending would never reach max_deliveries.
        let foundFullPage = idle.count == self.settings.readCount
        self.claimCursor = foundFullPage ? idle.last.map { $0.id.successor } ?? .zero : .zero
        guard !candidates.isEmpty else { return ClaimLook(entries: [], foundFullPage: foundFullPage) }
        let page = try await self.redis.claim(
            candidates.map(\.id),
            on: self.settings.stream,
            group: self.settings.group,
            for: self.settings.consumer,
            minIdle: self.settings.claimIdle
        )
        if !page.deleted.isEmpty { try await self.acknowledgeDeleted(page.deleted) }
        if !page.entries.isEmpty {
            self.logger.info("claimed idle entries", metadata: ["count": "\(page.entries.count)"])
        }
        let deliveries = Dictionary(uniqueKeysWithValues: candidates.map { ($0.id, $0.deliveries + 1) })
        let claimed = page.entries.map { entry in
            var entry = entry
            entry.deliveries = deliveries[entry.id] ?? 2
            return entry
        }
        return ClaimLook(entries: claimed, foundFullPage: foundFullPage)
    }

    /// The group's pending entries per consumer (`XPENDING` summary), and how long the oldest of each has been
    /// idle (`XPENDING … - + 1 <consumer>`): one command, and one more per consumer with entries pending.
    func checkPending() async throws(RedisError) -> [ConsumerPending] {
        let counts = try await self.redis.pendingCounts(of: self.settings.stream, group: self.settings.group)
        var consumers: [ConsumerPending] = []
        for (consumer, count) in counts.sorted(by: { $0.key < $1.key }) {
            let oldest = try await self.redis.pending(
                PendingQuery(stream: self.settings.stream, group: self.settings.group, count: 1, consumer: consumer)
            )
            consumers.append(ConsumerPending(consumer: consumer, count: count, oldestIdle: oldest.first?.idle))
        }
        return consumers
    }

    /// New entries, waiting up to `block` for them.
    func readNew() async throws(RedisError) -> [StreamEntry] {
        try await self.redis.readGroup(self.read(.new)).entries
    }

    private func read(_ position: GroupRead.Position) -> GroupRead {
        GroupRead(
            stream: self.settings.stream,
            group: self.settings.group,
            consumer: self.settings.consumer,
            position: position,
            count: self.settings.readCount,
            block: position == .new ? self.settings.block : nil
        )
    }

    /// Fills in each entry's delivery count from `XPENDING` (entries read again). `pendingCount` is how many of this
    /// consumer's pending entries lie from the first of `entries` to the last: the page they were read in, in flight
    /// ones included, which the `XPENDING` must cover whole to reach the last entry.
    private func withDeliveryCounts(
        _ entries: [StreamEntry],
        amongPendingEntries pendingCount: Int
    ) async throws(RedisError) -> [StreamEntry] {
        guard let first = entries.first?.id, let last = entries.last?.id else { return entries }
        let pending = try await self.redis.pending(
            PendingQuery(
                stream: self.settings.stream,
                group: self.settings.group,
                start: first,
                end: last,
                count: pendingCount,
                consumer: self.settings.consumer
            )
        )
        var counts: [StreamID: Int] = [:]
        for entry in pending { counts[entry.id] = entry.deliveries }
        return entries.map { entry in
            var entry = entry
            entry.deliveries = counts[entry.id] ?? max(entry.deliveries, 2)
            return entry
        }
    }

    private func acknowledgeDeleted(_ ids: [StreamID]) async throws(RedisError) {
        self.logger.warning(
            "pending entries were deleted from the stream; acknowledging them",
            metadata: ["ids": "\(ids.map(\.description))"]
        )
        try await self.redis.acknowledge(ids, on: self.settings.stream, group: self.settings.group)
    }
}
