import Logging
import NIOCore

/// The answer to a `subscribe`, worked out off the event loop: the CMS asked, the snapshot read and encoded.
enum LiveSubscriptionAnswer: Sendable {
    /// The `subscribed` message, and the newest snapshot instant per device (buffered positions not newer
    /// than it are not sent: the snapshot already has them).
    case subscribed(message: ByteBuffer, snapshotTimestamps: [String: Int64])
    case refused(LiveErrorCode, message: String)

    static func fetch(
        topic: LiveTopic,
        cookie: String?,
        environment: LiveConnectionEnvironment,
        logger: Logger
    ) async -> LiveSubscriptionAnswer {
        switch await environment.authority.authorize(event: topic.event, cookie: cookie) {
        case .allowed:
            break
        case .forbidden:
            return .refused(.forbidden, message: "you may not watch this event")
        case .unavailable(let reason):
            logger.warning(
                "live subscribe refused: the CMS could not be asked",
                metadata: ["topic": "\(topic.name)", "reason": "\(reason)"]
            )
            return .refused(.unavailable, message: "the CMS could not be asked; try again later")
        }
        let snapshot: [LivePosition]
        let timing: LiveTimingSnapshot
        do {
            snapshot = try await environment.snapshots.snapshot(event: topic.event)
            timing = try await environment.snapshots.timing(event: topic.event)
        } catch {
            logger.warning(
                "live subscribe refused: the snapshot could not be read",
                metadata: ["topic": "\(topic.name)", "error": "\(error)"]
            )
            return .refused(.unavailable, message: "the snapshot could not be read; try again later")
        }
        var timestamps: [String: Int64] = [:]
        for position in snapshot {
            timestamps[position.deviceID] = max(timestamps[position.deviceID, default: .min], position.timestamp)
        }
        return .subscribed(
            message: LiveMessage.subscribed(topic: topic, snapshot: snapshot, timing: timing),
            snapshotTimestamps: timestamps
        )
    }
}
