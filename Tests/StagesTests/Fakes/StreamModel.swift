import Stages

/// Redis Streams with consumer groups, in memory: what ``FakeStreams`` answers from. A pure value; the
/// time a command runs at (`now`, on the test's clock) is an argument, and so is every failure.
///
/// Faithful to Redis 7 where the sources depend on it: `XREADGROUP … <id>` reads this consumer's own pending
/// entries after the id, counting a delivery and resetting their idle time, and shows one deleted from the
/// stream with no fields; `XREADGROUP … >` adds what it delivers to the pending list unless `NOACK`;
/// `XCLAIM` takes only entries still idle that long, counts a delivery, and drops a deleted entry from the
/// pending list without showing it; `XGROUP CREATE` on an existing group is `BUSYGROUP` (false), and a
/// command on a group that does not exist is `NOGROUP`.
struct StreamModel: Sendable {
    struct Pending: Sendable, Hashable {
        var consumer: String
        /// When it was last delivered, on the test's clock.
        var deliveredAt: Duration
        var deliveries: Int
    }

    struct Group: Sendable {
        var lastDelivered: StreamID
        var pending: [StreamID: Pending] = [:]
    }

    struct Stream: Sendable {
        /// In id order.
        var entries: [StreamEntry] = []
        var lastID: StreamID = .zero
        var groups: [String: Group] = [:]
    }

    var streams: [String: Stream] = [:]

    // MARK: - Commands

    /// False for an existing group (`BUSYGROUP`), which keeps its position.
    mutating func createGroup(_ group: String, on stream: String, at start: GroupStart) -> Bool {
        var target = self.streams[stream] ?? Stream()  // MKSTREAM
        guard target.groups[group] == nil else { return false }
        let lastDelivered: StreamID =
            switch start {
            case .beginning: .zero
            case .end: target.lastID
            case .after(let id): id
            }
        target.groups[group] = Group(lastDelivered: lastDelivered)
        self.streams[stream] = target
        return true
    }

    mutating func moveGroupToEnd(_ group: String, on stream: String) -> Result<Void, RedisError> {
        guard let lastID = self.streams[stream]?.lastID, self.streams[stream]?.groups[group] != nil else {
            return .failure(Self.noGroup(group, stream, "XGROUP"))
        }
        self.streams[stream]?.groups[group]?.lastDelivered = lastID
        return .success(())
    }

    mutating func read(_ read: GroupRead, now: Duration) -> Result<StreamPage, RedisError> {
        guard var stream = self.streams[read.stream], var group = stream.groups[read.group] else {
            return .failure(Self.noGroup(read.group, read.stream, "XREADGROUP"))
        }
        defer {
            stream.groups[read.group] = group
            self.streams[read.stream] = stream
        }
        switch read.position {
        case .new:
            let entries = Array(stream.entries.lazy.filter { $0.id > group.lastDelivered }.prefix(read.count))
            if let last = entries.last { group.lastDelivered = last.id }
            if !read.noAck {
                for entry in entries {
                    group.pending[entry.id] = Pending(consumer: read.consumer, deliveredAt: now, deliveries: 1)
                }
            }
            return .success(StreamPage(entries: entries))
        case .pending(let after):
            let ids = group.pending.filter { $0.key > after && $0.value.consumer == read.consumer }.keys.sorted()
            var page = StreamPage()
            for id in ids.prefix(read.count) {
                guard let entry = stream.entry(id) else {
                    page.deleted.append(id)
                    continue
                }
                group.pending[id]?.deliveries += 1
                group.pending[id]?.deliveredAt = now
                page.entries.append(entry)
            }
            return .success(page)
        }
    }

    func pending(_ query: PendingQuery, now: Duration) -> Result<[PendingEntry], RedisError> {
        guard let stream = self.streams[query.stream], let group = stream.groups[query.group] else {
            return .failure(Self.noGroup(query.group, query.stream, "XPENDING"))
        }
        let listed = group.pending
            .filter { id, pending in
                id >= query.start && query.end.map { id <= $0 } ?? true
                    && query.consumer.map { pending.consumer == $0 } ?? true
                    && query.minIdle.map { now - pending.deliveredAt >= $0 } ?? true
            }
            .sorted { $0.key < $1.key }
            .prefix(query.count)
        return .success(
            listed.map {
                PendingEntry(
                    id: $0.key,
                    consumer: $0.value.consumer,
                    idle: now - $0.value.deliveredAt,
                    deliveries: $0.value.deliveries
                )
            }
        )
    }

    /// `XPENDING <stream> <group>`: each consumer's count of pending entries.
    func pendingCounts(of stream: String, group name: String) -> Result<[String: Int], RedisError> {
        guard let group = self.streams[stream]?.groups[name] else {
            return .failure(Self.noGroup(name, stream, "XPENDING"))
        }
        var counts: [String: Int] = [:]
        for pending in group.pending.values { counts[pending.consumer, default: 0] += 1 }
        return .success(counts)
    }

    mutating func claim(
        _ ids: [StreamID],
        on stream: String,
        group name: String,
        for consumer: String,
        minIdle: Duration,
        now: Duration
    ) -> Result<StreamPage, RedisError> {
        guard var group = self.streams[stream]?.groups[name] else {
            return .failure(Self.noGroup(name, stream, "XCLAIM"))
        }
        var page = StreamPage()
        for id in ids {
            guard let pending = group.pending[id], now - pending.deliveredAt >= minIdle else { continue }
            guard let entry = self.streams[stream]?.entry(id) else {
                group.pending[id] = nil  // Redis 7: a deleted entry leaves the pending list, unseen
                continue
            }
            group.pending[id] = Pending(consumer: consumer, deliveredAt: now, deliveries: pending.deliveries + 1)
            page.entries.append(entry)
        }
        self.streams[stream]?.groups[name] = group
        return .success(page)
    }

    mutating func acknowledge(_ ids: [StreamID], on stream: String, group: String) -> Int {
        var acknowledged = 0
        for id in ids where self.streams[stream]?.groups[group]?.pending.removeValue(forKey: id) != nil {
            acknowledged += 1
        }
        return acknowledged
    }

    /// `XADD`: at `id`, or (nil) at the next millisecond after the stream's last id.
    @discardableResult
    mutating func append(to stream: String, fields: [StreamEntry.Field], id: StreamID? = nil) -> StreamID {
        var target = self.streams[stream] ?? Stream()
        let id = id ?? StreamID(milliseconds: target.lastID.milliseconds + 1, sequence: 0)
        precondition(id > target.lastID, "stream ids only grow: \(id) is not after \(target.lastID)")
        target.entries.append(StreamEntry(id: id, fields: fields))
        target.lastID = id
        self.streams[stream] = target
        return id
    }

    // MARK: - Errors

    static func noGroup(_ group: String, _ stream: String, _ command: String) -> RedisError {
        RedisError(
            kind: .server,
            endpoint: "fake:6379",
            command: command,
            message: "NOGROUP No such key '\(stream)' or consumer group '\(group)'"
        )
    }
}

extension StreamModel.Stream {
    func entry(_ id: StreamID) -> StreamEntry? {
        self.entries.first { $0.id == id }
    }
}
