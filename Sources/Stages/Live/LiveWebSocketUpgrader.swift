import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// How one connection's WebSocket upgrade went, shared by its ``LiveWebSocketUpgrader`` and its
/// ``LiveHTTPHandler`` (which answers a refused upgrade).
enum LiveUpgradeState {
    /// No upgrade asked for, or still asking the CMS.
    case none
    case accepted(userID: String, cookie: String?)
    /// Refused with this status: 401 (no session) or 503 (the CMS could not be asked).
    case refused(HTTPResponseStatus)
}

/// The refusal ``LiveWebSocketUpgrader`` fails an upgrade with; NIO then hands the request to the
/// ``LiveHTTPHandler``, which answers with the status kept in the ``LiveUpgradeState``.
struct LiveUpgradeRefused: Error {}

/// Upgrades `GET /live` to the live WebSocket protocol when the CMS knows the request's session.
///
/// The handshake (key checks, `Sec-WebSocket-Accept`) is NIO's ``NIOWebSocketServerUpgrader``; the session is
/// asked in its `shouldUpgrade`, the request's `Cookie` header forwarded verbatim. The upgrade itself is
/// this type's: it adds NIO's frame decoder and a ``LiveConnectionHandler``, and no frame encoder, because
/// the connection writes whole frames itself.
///
/// - Important: One per connection, used on the connection's event loop only.
final class LiveWebSocketUpgrader: HTTPServerProtocolUpgrader {
    let supportedProtocol = "websocket"
    let requiredUpgradeHeaders: [String] = []
    private let handshake: NIOWebSocketServerUpgrader
    private let state: NIOLoopBoundBox<LiveUpgradeState>
    private let environment: LiveConnectionEnvironment
    private let maxFrameSize: Int

    /// The path the live protocol is served at.
    static let path = "/live"

    init(state: NIOLoopBoundBox<LiveUpgradeState>, environment: LiveConnectionEnvironment, maxFrameSize: Int) {
        self.state = state
        self.environment = environment
        self.maxFrameSize = maxFrameSize
        self.handshake = NIOWebSocketServerUpgrader(
            maxFrameSize: maxFrameSize,
            automaticErrorHandling: false,
            shouldUpgrade: { channel, request in
                Self.authenticate(channel: channel, request: request, state: state, environment: environment)
            },
            upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededVoidFuture() }
        )
    }

    func buildUpgradeResponse(
        channel: any Channel,
        upgradeRequest: HTTPRequestHead,
        initialResponseHeaders: HTTPHeaders
    ) -> EventLoopFuture<HTTPHeaders> {
        self.handshake.buildUpgradeResponse(
            channel: channel,
            upgradeRequest: upgradeRequest,
            initialResponseHeaders: initialResponseHeaders
        )
    }

    func upgrade(context: ChannelHandlerContext, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Void> {
        guard case .accepted(let userID, let cookie) = self.state.value else {
            return context.eventLoop.makeFailedFuture(LiveUpgradeRefused())
        }
        var logger = self.environment.logger
        logger[metadataKey: "user"] = "\(userID)"
        logger[metadataKey: "remote"] = "\(context.channel.remoteAddress?.description ?? "unknown")"
        let connection = LiveConnectionHandler(
            environment: self.environment,
            loop: self.environment.hub.loop(for: context.eventLoop),
            userID: userID,
            cookie: cookie,
            logger: logger
        )
        return context.eventLoop.makeCompletedFuture {
            let pipeline = context.pipeline.syncOperations
            try pipeline.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: self.maxFrameSize)))
            try pipeline.addHandler(connection)
        }
    }

    /// Asks the CMS who sent `request` (only for ``path``; another path is not upgraded, and answered 404).
    private static func authenticate(
        channel: any Channel,
        request: HTTPRequestHead,
        state: NIOLoopBoundBox<LiveUpgradeState>,
        environment: LiveConnectionEnvironment
    ) -> EventLoopFuture<HTTPHeaders?> {
        guard Self.requestPath(request.uri) == Self.path else { return channel.eventLoop.makeSucceededFuture(nil) }
        let cookie = Self.cookie(of: request)
        let authority = environment.authority
        return channel.eventLoop.makeFutureWithTask {
            await authority.authenticate(cookie: cookie)
        }.flatMapThrowing { authentication in
            switch authentication {
            case .user(let id):
                environment.metrics.upgradesAccepted.increment()
                state.value = .accepted(userID: id, cookie: cookie)
                return HTTPHeaders()
            case .notAuthenticated:
                environment.metrics.upgradesUnauthenticated.increment()
                state.value = .refused(.unauthorized)
                throw LiveUpgradeRefused()
            case .unavailable(let reason):
                environment.metrics.upgradesUnavailable.increment()
                environment.logger.warning(
                    "live upgrade refused with 503: the CMS could not be asked",
                    metadata: [
                        "reason": "\(reason)", "remote": "\(channel.remoteAddress?.description ?? "unknown")",
                    ]
                )
                state.value = .refused(.serviceUnavailable)
                throw LiveUpgradeRefused()
            }
        }
    }

    /// The request's `Cookie` header as the CMS gets it (verbatim; several joined with `; `), nil when absent: the
    /// same for an upgrade and for the HTTP endpoints, so they are asked about the same session.
    static func cookie(of request: HTTPRequestHead) -> String? {
        let cookies = request.headers["Cookie"]
        return cookies.isEmpty ? nil : cookies.joined(separator: "; ")
    }

    /// The path of a request target, without its query.
    static func requestPath(_ uri: String) -> Substring {
        uri.prefix { $0 != "?" && $0 != "#" }
    }
}
