import Logging

/// The Redis commands of a ``StreamSource``, and where it stands: reading its pending entries, or new ones.
struct StreamReader {
    let redis: RedisConnection
    let settings: StreamSource.Settings
    let logger: Logger
    private var groupReady = false
    /// The id after which to read this consumer's pending entries; `nil` once they are all read.
    private var pendingCursor: String? = "0"
    private var claimCursor = "-"

    init(redis: RedisConnection, settings: StreamSource.Settings, logger: Logger) {
        self.redis = redis
        self.settings = settings
        self.logger = logger
    }

    /// After a failure: the group may have been deleted, and a lost reply may have delivered entries.
    mutating func restartFromPending() {
        self.groupReady = false
        self.pendingCursor = "0"
    }

    mutating func ensureGroup() async throws(RedisError) {
        guard !self.groupReady else { return }
        do {
            try await self.redis.send([
                "XGROUP", "CREATE", RedisArgument(self.settings.stream), RedisArgument(self.settings.group),
                RedisArgument(self.settings.startAt), "MKSTREAM",
            ])
            self.logger.info(
                "consumer group created",
                metadata: [
                    "stream": "\(self.settings.stream)", "group": "\(self.settings.group)",
                    "start_at": "\(self.settings.startAt)",
                ]
            )
        } catch  where error.serverCode == "BUSYGROUP" {
            // The group exists: keep its position.
        }
        self.groupReady = true
    }

    /// The next page of this consumer's own pending entries — except the ones still in flight in this
    /// instance — or `nil` when there are none left.
    mutating func readPending(skipping inFlight: InFlightEntries) async throws(RedisError) -> [StreamEntry]? {
        guard let cursor = self.pendingCursor else { return nil }
        let (entries, deleted) = try await self.redis.send(
            [
                "XREADGROUP", "GROUP", RedisArgument(self.settings.group), RedisArgument(self.settings.consumer),
                "COUNT", RedisArgument(String(self.settings.readCount)), "STREAMS", RedisArgument(self.settings.stream),
                RedisArgument(cursor),
            ],
            decode: Self.entries(inReadReply:)
        ).split
        guard let last = (entries.map(\.id) + deleted).max(by: StreamID.less) else {
            self.pendingCursor = nil
            return nil
        }
        self.pendingCursor = last
        if !deleted.isEmpty { try await self.acknowledgeDeleted(deleted) }
        return try await self.withDeliveryCounts(entries.filter { !inFlight.contains($0.id) })
    }

    /// Entries idle longer than `claimIdle` in the group's pending list, now this consumer's — except the
    /// ones still in flight in this instance. Pages through the pending list across calls.
    mutating func claimIdle(skipping inFlight: InFlightEntries) async throws(RedisError) -> [StreamEntry] {
        let idle = String(self.settings.claimIdle.milliseconds)
        let page = try await self.redis.send([
            "XPENDING", RedisArgument(self.settings.stream), RedisArgument(self.settings.group), "IDLE",
            RedisArgument(idle), RedisArgument(self.claimCursor), "+", RedisArgument(String(self.settings.readCount)),
        ])
        var candidates: [(id: String, deliveries: Int)] = []
        var last: String?
        let items = page.array ?? []
        for item in items {
            guard let fields = item.array, fields.count == 4, let id = fields[0].string,
                let consumer = fields[1].string, let deliveries = fields[3].integer
            else { continue }
            last = id
            if consumer == self.settings.consumer && inFlight.contains(id) { continue }
            candidates.append((id, Int(deliveries)))
        }
        // Next time, continue after a full page; after the last one (shorter), start again from the oldest.
        // Waiting for an empty page instead would starve the oldest entries while new ones keep becoming idle
        // at the end of the list: a malformed entry left pending would never reach max_deliveries.
        self.claimCursor = items.count == self.settings.readCount ? last.map { "(" + $0 } ?? "-" : "-"
        guard !candidates.isEmpty else { return [] }
        let (entries, deleted) = try await self.redis.send(
            [
                "XCLAIM", RedisArgument(self.settings.stream), RedisArgument(self.settings.group),
                RedisArgument(self.settings.consumer), RedisArgument(idle),
            ]
                + candidates.map { RedisArgument($0.id) },
            decode: Self.entries(inList:)
        ).split
        let deliveries = Dictionary(uniqueKeysWithValues: candidates.map { ($0.id, $0.deliveries + 1) })
        if !deleted.isEmpty { try await self.acknowledgeDeleted(deleted) }
        if !entries.isEmpty {
            self.logger.info("claimed idle entries", metadata: ["count": "\(entries.count)"])
        }
        return entries.map { entry in
            var entry = entry
            entry.deliveries = deliveries[entry.id] ?? 2
            return entry
        }
    }

    /// New entries, waiting up to `block` for them.
    func readNew() async throws(RedisError) -> [StreamEntry] {
        try await self.redis.send(
            [
                "XREADGROUP", "GROUP", RedisArgument(self.settings.group), RedisArgument(self.settings.consumer),
                "COUNT", RedisArgument(String(self.settings.readCount)), "BLOCK",
                RedisArgument(String(self.settings.block.milliseconds)), "STREAMS", RedisArgument(self.settings.stream),
                ">",
            ],
            blocking: self.settings.block,
            decode: Self.entries(inReadReply:)
        ).entries
    }

    // MARK: - Replies

    /// `XREADGROUP` → `[[stream, [[id, [field, value, …]], …]]]`, or null when nothing came.
    @Sendable static func entries(inReadReply reply: inout RedisReplyCursor) -> StreamPage {
        guard case .array(let streams)? = reply.next(), streams >= 1 else { return StreamPage() }
        guard case .array(let pair)? = reply.next(), pair == 2 else { return StreamPage() }
        reply.skip()  // the stream's name
        return self.entries(inList: &reply)
    }

    /// `[[id, [field, value, …] | null], …]`; a null field list is an entry deleted while pending.
    @Sendable static func entries(inList reply: inout RedisReplyCursor) -> StreamPage {
        var page = StreamPage()
        guard case .array(let count)? = reply.next() else { return page }
        page.entries.reserveCapacity(count)
        for _ in 0..<count {
            // An item is [id, [field, value, …] | null]; anything else is skipped whole.
            guard case .array(let pair)? = reply.next() else { continue }
            guard pair == 2, let idBytes = reply.nextString() else {
                for _ in 0..<max(0, pair - (pair == 2 ? 1 : 0)) { reply.skip() }
                continue
            }
            let id = String(decoding: idBytes, as: UTF8.self)
            var peek = reply
            guard case .array(let values)? = peek.next() else {
                reply.skip()
                page.deleted.append(id)
                continue
            }
            reply = peek
            // Two passes over the fields: count their bytes, then pack them into one array of that size.
            var fields = 0
            var byteCount = 0
            Self.forEachField(values, in: &peek) { name, value in
                fields += 1
                byteCount += name.count + value.count
            }
            let packedCount = StreamEntry.Packer.packedCount(fields: fields, byteCount: byteCount)
            let packed = StreamEntry.Packer.pack(packedCount: packedCount) { packer in
                Self.forEachField(values, in: &reply) { packer.append(name: $0, value: $1) }
            }
            page.entries.append(StreamEntry(id: id, packed: packed))
        }
        return page
    }

    /// Reads the `count` nodes of a field list `[field, value, …]`, calling `body` with each pair whose name
    /// and value are both strings.
    private static func forEachField(
        _ count: Int,
        in reply: inout RedisReplyCursor,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) {
        var name: UnsafeRawBufferPointer?
        for position in 0..<count {
            let bytes = reply.nextString()
            if position % 2 == 0 {
                name = bytes
            } else if let name, let bytes {
                body(name, bytes)
            }
        }
    }

    /// Fills in each entry's delivery count from `XPENDING` (entries read again or claimed).
    private func withDeliveryCounts(_ entries: [StreamEntry]) async throws(RedisError) -> [StreamEntry] {
        guard let first = entries.first?.id, let last = entries.last?.id else { return entries }
        let reply = try await self.redis.send([
            "XPENDING", RedisArgument(self.settings.stream), RedisArgument(self.settings.group),
            RedisArgument(first), RedisArgument(last), RedisArgument(String(entries.count * 2 + 16)),
            RedisArgument(self.settings.consumer),
        ])
        var counts: [String: Int] = [:]
        for item in reply.array ?? [] {
            if let fields = item.array, fields.count == 4, let id = fields[0].string, let count = fields[3].integer {
                counts[id] = Int(count)
            }
        }
        return entries.map { entry in
            var entry = entry
            entry.deliveries = counts[entry.id] ?? max(entry.deliveries, 2)
            return entry
        }
    }

    private func acknowledgeDeleted(_ ids: [String]) async throws(RedisError) {
        self.logger.warning(
            "pending entries were deleted from the stream; acknowledging them",
            metadata: ["ids": "\(ids)"]
        )
        try await self.redis.send(
            ["XACK", RedisArgument(self.settings.stream), RedisArgument(self.settings.group)]
                + ids.map { RedisArgument($0) }
        )
    }
}

/// Stream ids `ms-seq`, compared as numbers.
enum StreamID {
    static func less(_ a: String, _ b: String) -> Bool {
        func parts(_ id: String) -> (UInt64, UInt64) {
            let pieces = id.split(separator: "-", maxSplits: 1)
            return (UInt64(pieces.first ?? "") ?? 0, pieces.count > 1 ? UInt64(pieces[1]) ?? 0 : 0)
        }
        return parts(a) < parts(b)
    }
}

/// The entries of a stream reply, and the ids of pending entries deleted from the stream meanwhile.
struct StreamPage: Sendable {
    var entries: [StreamEntry] = []
    var deleted: [String] = []

    var split: (entries: [StreamEntry], deleted: [String]) { (self.entries, self.deleted) }
}
