import Logging
import NIOCore

/// What every connection of one ``LiveServer`` shares: the CMS, the snapshots, the stored positions for replays,
/// the hub, metrics and limits.
struct LiveConnectionEnvironment: Sendable {
    let authority: any LiveAuthority
    let snapshots: any LiveSnapshots
    let history: any LivePositionHistory
    let hub: LiveHub
    let metrics: LiveMetrics
    let logger: Logger
    /// Positions that may wait per connection (and per subscription being set up), ≥ 1.
    let clientQueue: Int
    /// How long a connection's queue may stay non-empty before the connection is closed.
    let slowClientTimeout: TimeAmount
    /// How long a closing handshake may take before the TCP connection is closed anyway.
    let closeTimeout: TimeAmount
    /// `subscribe` requests a connection may have in flight before the server stops reading its frames.
    let maxSubscribesInFlight: Int
    /// The longest client message (a fragmented one counts whole).
    let maxMessageSize: Int
}

/// The WebSocket close codes the live server sends (RFC 6455 §7.4.1).
enum LiveCloseCode {
    static let normal: UInt16 = 1000
    static let goingAway: UInt16 = 1001
    static let protocolError: UInt16 = 1002
    static let policyViolation: UInt16 = 1008
    static let messageTooLarge: UInt16 = 1009
}
