/// ``StorageProgress`` from the stream's consumer groups: the storing group (durable-write's) has stored
/// everything the timing group (race-timing's) has read when its last delivered id is at least the timing
/// group's and none of its pending entries is at or before that id.
///
/// Two commands: `XINFO GROUPS <stream>` (both groups' last delivered ids, read at one moment), then
/// `XPENDING <stream> <storing> - <through> 1`. Between them the storing group can only acknowledge more,
/// so "nothing pending up to `through`" stays true once seen.
public struct RedisStorageProgress: StorageProgress {
    let redis: RedisConnection
    let stream: String
    let timingGroup: String
    let storingGroup: String

    public init(redis: RedisConnection, stream: String, timingGroup: String, storingGroup: String) {
        self.redis = redis
        self.stream = stream
        self.timingGroup = timingGroup
        self.storingGroup = storingGroup
    }

    public func catchUp() async throws -> StorageCatchUp {
        let groups = try await ConsumerGroupInfo.read(self.redis, stream: self.stream)
        guard let storing = groups[self.storingGroup] else { return .noStoringGroup(group: self.storingGroup) }
        return try await Self.judge(
            timing: groups[self.timingGroup] ?? ConsumerGroupInfo(),
            storing: storing,
            pendingThrough: self.storingPending(through:)
        )
    }

    /// The answer from both groups' `XINFO GROUPS` fields; `pendingThrough` says whether the storing group has
    /// an entry pending at or before an id (asked only when it matters, with the timing group's last delivered id).
    static func judge(
        timing: ConsumerGroupInfo,
        storing: ConsumerGroupInfo,
        pendingThrough: (StreamID) async throws -> Bool
    ) async throws -> StorageCatchUp {
        let through = timing.lastDelivered ?? .zero
        guard through > .zero else { return .stored }
        let read = (storing.lastDelivered ?? .zero) >= through
        if read, try await !pendingThrough(through) { return .stored }
        // Entries up to `through` the storing group has not read: its lag less the timing group's.
        let undelivered = read ? 0 : storing.lag.flatMap { lag in timing.lag.map { max(lag - $0, 0) } }
        return .behind(through: through, pending: storing.pending, undelivered: undelivered)
    }

    private func storingPending(through: StreamID) async throws -> Bool {
        let query = PendingQuery(stream: self.stream, group: self.storingGroup, end: through, count: 1)
        return try await !self.redis.pending(query).isEmpty
    }
}
