import Stages

/// A position's identity (CONTRACT §1): its device and its instant, in µs since the epoch.
struct PositionKey: Hashable, CustomStringConvertible {
    var deviceID: String
    var timestamp: Int64

    /// The identity of the position `entry` holds; nil for a malformed entry.
    init?(of entry: StreamEntry) {
        guard case .success(let position) = PositionDecoder.decode(entry) else { return nil }
        self.init(deviceID: position.deviceID, timestamp: position.timestamp)
    }

    init(deviceID: String, timestamp: Int64) {
        self.deviceID = deviceID
        self.timestamp = timestamp
    }

    var description: String { "\(self.deviceID)@\(Timestamp.format(self.timestamp, precision: .microseconds))" }
}

/// What the group acknowledged and what the table holds, read from Redis and PostgreSQL (CONTRACT §2: an
/// entry is acknowledged only once its row exists).
extension TestWorld {
    /// The group's `last-delivered-id` (`XINFO GROUPS`; durable-write's group unless `group` is given): every
    /// entry up to it was delivered to a consumer.
    func lastDeliveredID(group: String? = nil) async throws -> String? {
        try await self.groupInfo(group)?.lastDelivered?.description
    }

    /// The group as one `XINFO GROUPS` reply gives it (durable-write's group unless `group` is given), so that
    /// counts read together are of one moment; nil when the stream or the group does not exist.
    func groupInfo(_ group: String? = nil) async throws -> ConsumerGroupInfo? {
        try await ConsumerGroupInfo.read(self.redis, stream: self.stream)[group ?? self.group]
    }

    /// The ids delivered to the group and not acknowledged (`XPENDING … - + n`).
    func pendingIDs() async throws -> Set<StreamID> {
        let reply = try await self.redis.send([
            "XPENDING", RedisArgument(self.stream), RedisArgument(self.group), "-", "+", "10000000",
        ])
        return Set((reply.array ?? []).compactMap { $0.array?.first?.string.flatMap(StreamID.init) })
    }

    /// The stream's entries from the first up to `last` (`XRANGE`), in order.
    func streamEntries(upTo last: String = "+") async throws -> [StreamEntry] {
        let reply = try await self.redis.send(["XRANGE", RedisArgument(self.stream), "-", RedisArgument(last)])
        return (reply.array ?? []).compactMap { item in
            guard let parts = item.array, parts.count == 2, let id = parts[0].string.flatMap(StreamID.init) else {
                return nil
            }
            let values = parts[1].array ?? []
            let fields = stride(from: 0, to: values.count - 1, by: 2).map { index in
                guard case .bulk(let value) = values[index + 1] else {
                    return StreamEntry.Field(name: values[index].string ?? "", value: [])
                }
                return StreamEntry.Field(name: values[index].string ?? "", value: value)
            }
            return StreamEntry(id: id, fields: fields)
        }
    }

    /// The entries the group acknowledged: delivered (up to its last-delivered-id) and no longer pending.
    func acknowledgedEntries() async throws -> [StreamEntry] {
        guard let last = try await self.lastDeliveredID() else { return [] }
        let pending = try await self.pendingIDs()
        return try await self.streamEntries(upTo: last).filter { !pending.contains($0.id) }
    }

    /// The identities of the rows in `positions`.
    func storedKeys() async throws -> Set<PositionKey> {
        let rows = try await self.postgres.query(
            "SELECT device_id, (extract(epoch FROM ts) * 1000000)::bigint FROM positions"
        ).rows
        return Set(rows.map { PositionKey(deviceID: $0[0] ?? "", timestamp: Int64($0[1] ?? "") ?? .min) })
    }
}

extension TestWorld {
    /// The acknowledged entries holding a position that has no row, by identity (CONTRACT §2 says there are
    /// none); malformed entries, acknowledged once dead-lettered, hold no position and are not counted.
    func acknowledgedButUnstored() async throws -> [StreamEntry] {
        let acknowledged = try await self.acknowledgedEntries()
        let stored = try await self.storedKeys()
        return acknowledged.filter { entry in PositionKey(of: entry).map { !stored.contains($0) } ?? false }
    }
}
