/// Acknowledges stream entries in their consumer group (`XACK`), which removes them from the pending list.
///
/// - Important: Only ever called with entries whose position is stored (inserted now or already there)
///   or that were dead-lettered: an acknowledged entry is never delivered again.
public struct Acknowledger: Sendable {
    let redis: RedisConnection
    let stream: String
    let group: String
    let inFlight: InFlightEntries?

    public init(redis: RedisConnection, stream: String, group: String, inFlight: InFlightEntries? = nil) {
        self.redis = redis
        self.stream = stream
        self.group = group
        self.inFlight = inFlight
    }

    /// Acknowledges `ids`; returns how many were pending (others were acknowledged before).
    @discardableResult
    public func acknowledge(_ ids: [String]) async throws(RedisError) -> Int {
        guard !ids.isEmpty else { return 0 }
        let reply = try await self.redis.send(
            ["XACK", RedisArgument(self.stream), RedisArgument(self.group)] + ids.map { RedisArgument($0) }
        )
        self.inFlight?.remove(ids)
        return Int(reply.integer ?? 0)
    }
}
