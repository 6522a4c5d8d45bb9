import CoreMetrics
import Flow
import Logging

/// What happens to a stream entry that cannot be decoded.
///
/// Below `maxDeliveries` deliveries it stays pending: it is counted and logged, and delivered again later
/// (claimed once idle). Once delivered `maxDeliveries` times it is appended to the dead-letter stream with
/// its id, every field and the reason, and only then acknowledged. Nothing is dropped silently.
///
/// A dead-letter entry has the fields `entry_id`, `reason` (one line naming what is wrong and where),
/// `code` (the reason's short code), `deliveries`, and each original field as `field:<name>`.
///
/// - Important: The append comes before the acknowledgement. If acknowledging fails and is retried, the
///   entry is appended again: the dead-letter stream may hold an entry twice, never zero times.
public struct DeadLetters: Sendable {
    let redis: RedisConnection
    let acknowledger: Acknowledger
    public let deadLetterStream: String
    public let maxDeliveries: Int

    public init(redis: RedisConnection, acknowledger: Acknowledger, deadLetterStream: String, maxDeliveries: Int) {
        precondition(maxDeliveries >= 1, "max_deliveries must be at least 1")
        self.redis = redis
        self.acknowledger = acknowledger
        self.deadLetterStream = deadLetterStream
        self.maxDeliveries = maxDeliveries
    }

    public enum Outcome: Sendable, Equatable {
        /// Left pending to be delivered again.
        case leftPending
        /// Appended to the dead-letter stream and acknowledged.
        case deadLettered
    }

    /// Handles one entry that failed to decode with `reason` (and its short `code`).
    @discardableResult
    public func handle(_ entry: StreamEntry, reason: String, code: String) async throws(RedisError) -> Outcome {
        guard entry.deliveries >= self.maxDeliveries else {
            // No longer in flight: once idle it is claimed and delivered again.
            self.acknowledger.inFlight?.remove([entry.id])
            return .leftPending
        }
        var arguments: [RedisArgument] = [
            "XADD", RedisArgument(self.deadLetterStream), "*",
            "entry_id", RedisArgument(entry.id),
            "reason", RedisArgument(reason),
            "code", RedisArgument(code),
            "deliveries", RedisArgument(String(entry.deliveries)),
        ]
        for field in entry.fields {
            arguments.append(RedisArgument("field:" + field.name))
            arguments.append(RedisArgument(bytes: field.value))
        }
        try await self.redis.send(arguments)
        try await self.acknowledger.acknowledge([entry.id])
        return .deadLettered
    }
}
