/// What `XINFO GROUPS <stream>` (Redis 7.0 or later) says of one consumer group: its pending entries
/// (delivered, not acknowledged) and its lag (entries of the stream not yet delivered to it; `nil` when
/// Redis cannot tell, e.g. after entries were deleted), the id of the last entry delivered to it and how
/// many entries it has read (`entries-read`; `nil` when Redis cannot tell).
public struct ConsumerGroupInfo: Sendable, Hashable {
    public var pending: Int64?
    public var lag: Int64?
    public var lastDelivered: StreamID?
    public var entriesRead: Int64?

    public init(pending: Int64? = nil, lag: Int64? = nil, lastDelivered: StreamID? = nil, entriesRead: Int64? = nil) {
        self.pending = pending
        self.lag = lag
        self.lastDelivered = lastDelivered
        self.entriesRead = entriesRead
    }

    /// The groups of `stream`, by name; empty when the stream does not exist.
    public static func read(_ redis: RedisConnection, stream: String) async throws(RedisError) -> [String: Self] {
        do {
            return self.parse(try await redis.send(["XINFO", "GROUPS", RedisArgument(stream)]))
        } catch  where error.kind == .server {
            return [:]  // ERR no such key
        }
    }

    /// The groups of an `XINFO GROUPS` reply, by name: an array of flat `field, value, …` arrays.
    public static func parse(_ reply: RedisReply) -> [String: Self] {
        var groups: [String: Self] = [:]
        for entry in reply.array ?? [] {
            let fields = entry.array ?? []
            var name: String?
            var info = Self()
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                switch fields[index].string {
                case "name": name = fields[index + 1].string
                case "pending": info.pending = fields[index + 1].integer
                case "lag": info.lag = fields[index + 1].integer
                case "last-delivered-id": info.lastDelivered = fields[index + 1].string.flatMap(StreamID.init)
                case "entries-read": info.entriesRead = fields[index + 1].integer
                default: continue
                }
            }
            if let name { groups[name] = info }
        }
        return groups
    }
}
