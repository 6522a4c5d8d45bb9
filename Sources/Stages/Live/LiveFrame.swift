import NIOCore

/// A `position`, `crossing` or `crossing-removed` message on its way to the subscribers of one topic: the
/// WebSocket frame, built once, and what the server needs to know about it without reading it back.
///
/// - Important: `bytes` is shared by every subscriber it is written to and is never modified. Only positions
///   coalesce (the newest per device wins) and are compared with a snapshot; a timing frame is never replaced
///   by another and always follows `subscribed` (CONTRACT §6.5).
struct LiveFrame: Sendable {
    /// What the frame carries.
    enum Kind: Sendable {
        /// A `position`: a newer one of its device replaces it while it waits.
        case position
        /// A `crossing` or `crossing-removed`: never replaced, never compared with a snapshot.
        case timing
    }

    /// The topic's number in the ``LiveTopicDirectory`` (not the event id: cheaper to look up per delivery).
    var topic: Int
    /// The position's device (a timing frame's: the crossing's).
    var deviceID: String
    /// The position's instant, µs since the epoch (to skip positions older than a subscriber's snapshot).
    var timestamp: Int64
    var bytes: ByteBuffer
    var kind = Kind.position
}
