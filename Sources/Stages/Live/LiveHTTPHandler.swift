import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Answers the HTTP requests that are not upgraded to the live WebSocket protocol, then closes the
/// connection: a refused upgrade with its status (401 or 503, kept in the ``LiveUpgradeState``), a path
/// other than `/live` with 404, a malformed upgrade with 400, and a plain `GET /live` with 426.
///
/// It also bounds the handshake: a connection that has not upgraded within `handshakeTimeout` is closed.
/// NIO removes this handler when the upgrade succeeds.
///
/// - Important: One per connection, on its event loop.
final class LiveHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: NIOLoopBoundBox<LiveUpgradeState>
    private let handshakeTimeout: TimeAmount
    private var request: HTTPRequestHead?
    private var timeout: Scheduled<Void>?
    private var isAnswering = false

    init(state: NIOLoopBoundBox<LiveUpgradeState>, handshakeTimeout: TimeAmount) {
        self.state = state
        self.handshakeTimeout = handshakeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.timeout = context.eventLoop.assumeIsolated().scheduleTask(in: self.handshakeTimeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timeout?.cancel()
        self.timeout = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.request = head
        case .body:
            break
        case .end:
            if let request = self.request { self.answer(request, context: context) }
            self.request = nil
        }
    }

    private func answer(_ request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard !self.isAnswering else { return }
        self.isAnswering = true
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        let text: String
        if case .refused(let refusal) = self.state.value {
            status = refusal
            text = refusal == .unauthorized ? "not authenticated" : "the CMS is unavailable; try again later"
        } else if LiveWebSocketUpgrader.requestPath(request.uri) != LiveWebSocketUpgrader.path {
            status = .notFound
            text = "not found: the live protocol is at \(LiveWebSocketUpgrader.path)"
        } else if request.headers.contains(name: "Upgrade") {
            status = .badRequest
            text = "not a valid WebSocket upgrade request"
        } else {
            status = .upgradeRequired
            text = "\(LiveWebSocketUpgrader.path) is a WebSocket endpoint"
            headers.add(name: "Upgrade", value: "websocket")
        }
        var body = context.channel.allocator.buffer(capacity: text.utf8.count + 1)
        body.writeString(text)
        body.writeStaticString("\n")
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Connection", value: "close")
        context.write(
            Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
            promise: nil
        )
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A refused or malformed upgrade: NIO passes the request on next, and it is answered then.
        if error is LiveUpgradeRefused || error is NIOWebSocketUpgradeError { return }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is LiveServer.ShutdownEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
