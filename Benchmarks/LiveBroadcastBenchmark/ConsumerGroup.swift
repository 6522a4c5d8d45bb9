import Stages

/// A consumer group's backlog, from `XINFO GROUPS`.
enum ConsumerGroup {
    enum Lag: Equatable, CustomStringConvertible {
        /// The stream or the group does not exist (yet).
        case missing
        /// Entries added to the stream that the group has not read yet.
        case entries(Int64)
        /// Redis cannot tell (`lag` is nil, e.g. after entries were deleted).
        case unknown

        var description: String {
            switch self {
            case .missing: "no group"
            case .entries(let count): "\(count)"
            case .unknown: "unknown"
            }
        }
    }

    static func lag(redis: RedisConnection, stream: String, group: String) async throws -> Lag {
        guard let info = try await ConsumerGroupInfo.read(redis, stream: stream)[group] else { return .missing }
        return info.lag.map(Lag.entries) ?? .unknown
    }
}
