import NIOCore

/// A `position` message on its way to the subscribers of one topic: the WebSocket frame, built once, and what
/// the server needs to know about it without reading it back.
///
/// - Important: `bytes` is shared by every subscriber it is written to and is never modified.
struct LivePositionFrame: Sendable {
    /// The topic's number in the ``LiveTopicDirectory`` (not the event id: cheaper to look up per delivery).
    var topic: Int
    var deviceID: String
    /// The position's instant, µs since the epoch (to skip positions older than a subscriber's snapshot).
    var timestamp: Int64
    var bytes: ByteBuffer
}
