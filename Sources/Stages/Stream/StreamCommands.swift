/// The Redis Stream commands flowrun's stages send: everything a source, the acknowledgement and the
/// dead-letter stage need of Redis, and what a fake implements for their unit tests. ``RedisConnection``
/// sends them to a real server.
///
/// - Important: Every method is one command on one connection. A failure is a ``RedisError``; whether to
///   send the command again is the caller's decision (see each stage).
public protocol StreamCommands: Sendable {
    /// `XGROUP CREATE <stream> <group> <start> MKSTREAM`: true when the group was created, false when it
    /// existed already (`BUSYGROUP`; it keeps its position).
    func createGroup(_ group: String, on stream: String, at start: GroupStart) async throws(RedisError) -> Bool

    /// `XGROUP SETID <stream> <group> $`: the group reads only entries added from now on.
    func moveGroupToEnd(_ group: String, on stream: String) async throws(RedisError)

    /// `XREADGROUP GROUP <group> <consumer> COUNT <count> [BLOCK <ms>] [NOACK] STREAMS <stream> <id | >>`.
    func readGroup(_ read: GroupRead) async throws(RedisError) -> StreamPage

    /// `XPENDING <stream> <group> [IDLE <ms>] <start> + <count> [<consumer>]`: the group's pending entries
    /// from `start` on, oldest first.
    func pending(_ query: PendingQuery) async throws(RedisError) -> [PendingEntry]

    /// `XPENDING <stream> <group>` (the summary form): how many entries each consumer has pending, by
    /// consumer; consumers with none are not listed.
    func pendingCounts(of stream: String, group: String) async throws(RedisError) -> [String: Int]

    /// `XCLAIM <stream> <group> <consumer> <min-idle> <id>…`: the entries, now `consumer`'s, that were still
    /// idle that long.
    func claim(
        _ ids: [StreamID],
        on stream: String,
        group: String,
        for consumer: String,
        minIdle: Duration
    ) async throws(RedisError) -> StreamPage

    /// `XACK <stream> <group> <id>…`: returns how many of them were pending.
    @discardableResult
    func acknowledge(_ ids: [StreamID], on stream: String, group: String) async throws(RedisError) -> Int

    /// `XADD <stream> * <name> <value>…`: appends an entry.
    func append(to stream: String, fields: [StreamEntry.Field]) async throws(RedisError)

    /// `XADD <stream> * …` for each of `entries`, in order. ``RedisConnection`` sends them at once (a
    /// pipeline: one round trip), so when it throws, any first ones of them may have been appended.
    func append(to stream: String, entries: [[StreamEntry.Field]]) async throws(RedisError)
}

extension StreamCommands {
    /// One ``append(to:fields:)`` after the other.
    public func append(to stream: String, entries: [[StreamEntry.Field]]) async throws(RedisError) {
        for fields in entries { try await self.append(to: stream, fields: fields) }
    }
}

/// Where a consumer group that does not exist yet starts reading its stream.
public enum GroupStart: Sendable, Hashable, CustomStringConvertible {
    /// From the stream's first entry (Redis id `0`).
    case beginning
    /// Only entries added after the group is created (Redis id `$`).
    case end
    /// After the entry with this id.
    case after(StreamID)

    /// The id `XGROUP CREATE` takes: `0`, `$` or `<milliseconds>-<sequence>`.
    public var description: String {
        switch self {
        case .beginning: "0"
        case .end: "$"
        case .after(let id): id.description
        }
    }
}

/// One `XREADGROUP`.
public struct GroupRead: Sendable, Hashable {
    public enum Position: Sendable, Hashable {
        /// This consumer's own pending entries after this id (`0-0`: from the first).
        case pending(after: StreamID)
        /// Entries never delivered to the group (`>`).
        case new
    }

    public var stream: String
    public var group: String
    public var consumer: String
    public var position: Position
    public var count: Int
    /// How long to wait for new entries; nil: answer at once.
    public var block: Duration?
    /// Deliver without adding the entries to the pending list (read-and-forget).
    public var noAck: Bool

    public init(
        stream: String,
        group: String,
        consumer: String,
        position: Position,
        count: Int,
        block: Duration? = nil,
        noAck: Bool = false
    ) {
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.position = position
        self.count = count
        self.block = block
        self.noAck = noAck
    }
}

/// One `XPENDING` page.
public struct PendingQuery: Sendable, Hashable {
    public var stream: String
    public var group: String
    /// Only entries idle at least this long; nil: all.
    public var minIdle: Duration?
    /// The first id of the page, inclusive.
    public var start: StreamID
    /// The last id of the page, inclusive; nil: the newest.
    public var end: StreamID?
    public var count: Int
    /// Only this consumer's entries; nil: every consumer's.
    public var consumer: String?

    public init(
        stream: String,
        group: String,
        minIdle: Duration? = nil,
        start: StreamID = .zero,
        end: StreamID? = nil,
        count: Int,
        consumer: String? = nil
    ) {
        self.stream = stream
        self.group = group
        self.minIdle = minIdle
        self.start = start
        self.end = end
        self.count = count
        self.consumer = consumer
    }
}

/// An entry of a group's pending list, as `XPENDING` shows it.
public struct PendingEntry: Sendable, Hashable {
    public var id: StreamID
    public var consumer: String
    public var idle: Duration
    /// How many times it has been delivered.
    public var deliveries: Int

    public init(id: StreamID, consumer: String, idle: Duration, deliveries: Int) {
        self.id = id
        self.consumer = consumer
        self.idle = idle
        self.deliveries = deliveries
    }
}

/// The entries of a stream reply, and the ids of pending entries deleted from the stream meanwhile (`XREADGROUP`
/// and `XCLAIM` show them with no fields).
public struct StreamPage: Sendable, Hashable {
    public var entries: [StreamEntry]
    public var deleted: [StreamID]

    public init(entries: [StreamEntry] = [], deleted: [StreamID] = []) {
        self.entries = entries
        self.deleted = deleted
    }
}
