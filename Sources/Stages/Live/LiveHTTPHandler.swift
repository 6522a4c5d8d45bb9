import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Answers the HTTP requests that are not upgraded to the live WebSocket protocol, then closes the
/// connection: a refused upgrade with its status (401 or 503, kept in the ``LiveUpgradeState``), the map page
/// and its files (``LivePage``), `GET /events` (``LiveEventsEndpoint``), an event's stored positions
/// (``LiveReplayEndpoint``), a malformed upgrade with 400, a plain
/// `GET /live` with 426, and anything else as ``LiveHTTPRoute`` says (404, 405).
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
    private let page: LivePage
    private let authority: any LiveAuthority
    private let history: any LivePositionHistory
    private let logger: Logger
    private var request: HTTPRequestHead?
    private var timeout: Scheduled<Void>?
    private var isAnswering = false

    init(
        state: NIOLoopBoundBox<LiveUpgradeState>,
        handshakeTimeout: TimeAmount,
        page: LivePage,
        authority: any LiveAuthority,
        history: any LivePositionHistory,
        logger: Logger
    ) {
        self.state = state
        self.handshakeTimeout = handshakeTimeout
        self.page = page
        self.authority = authority
        self.history = history
        self.logger = logger
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
        if case .refused(let refusal) = self.state.value {
            let text = refusal == .unauthorized ? "not authenticated" : "the CMS is unavailable; try again later"
            self.respond(refusal, text: text, context: context)
            return
        }
        let isHead = request.method == .HEAD
        switch LiveHTTPRoute(method: request.method, uri: request.uri) {
        case .live:
            if request.headers.contains(name: "Upgrade") {
                self.respond(.badRequest, text: "not a valid WebSocket upgrade request", context: context)
            } else {
                var headers = HTTPHeaders()
                headers.add(name: "Upgrade", value: "websocket")
                let text = "\(LiveWebSocketUpgrader.path) is a WebSocket endpoint"
                self.respond(.upgradeRequired, text: text, headers: headers, context: context)
            }
        case .page:
            self.serve(self.page.index, named: "index.html", isHead: isHead, context: context)
        case .file(let name):
            self.serve(self.page.files[name], named: name, isHead: isHead, context: context)
        case .events:
            let authority = self.authority
            self.answerJSON(isHead: isHead, context: context) {
                await LiveEventsEndpoint.answer(cookie: LiveWebSocketUpgrader.cookie(of: request), authority: authority)
            }
        case .positions(let event):
            let (authority, history, logger) = (self.authority, self.history, self.logger)
            self.answerJSON(isHead: isHead, context: context) {
                await LiveReplayEndpoint.answer(
                    event: event,
                    uri: request.uri,
                    cookie: LiveWebSocketUpgrader.cookie(of: request),
                    authority: authority,
                    history: history,
                    logger: logger
                )
            }
        case .methodNotAllowed:
            var headers = HTTPHeaders()
            headers.add(name: "Allow", value: "GET, HEAD")
            self.respond(.methodNotAllowed, text: "only GET and HEAD", headers: headers, context: context)
        case .notFound:
            let text = "not found: the live protocol is at \(LiveWebSocketUpgrader.path), the map page at /"
            self.respond(.notFound, text: text, context: context)
        }
    }

    /// Answers with the JSON `endpoint` computes (in a task, off the event loop; written back on it).
    private func answerJSON(
        isHead: Bool,
        context: ChannelHandlerContext,
        _ endpoint: @escaping @Sendable () async -> LiveHTTPAnswer
    ) {
        context.eventLoop.makeFutureWithTask(endpoint).assumeIsolated().whenSuccess { answer in
            let body = isHead ? ByteBuffer() : answer.body
            self.write(answer.status, contentType: "application/json; charset=utf-8", body: body, context: context)
        }
    }

    /// Answers with one of the page's files, or 404 naming where the files were looked for.
    private func serve(_ file: LivePage.File?, named name: String, isHead: Bool, context: ChannelHandlerContext) {
        guard let file else {
            let text =
                self.page.files.isEmpty
                ? "the map page's files were not found (looked in \(self.page.searched.joined(separator: ", ")))"
                : "not found: the map page has no file \(name)"
            self.respond(.notFound, text: text, context: context)
            return
        }
        self.write(.ok, contentType: file.contentType, body: isHead ? ByteBuffer() : file.bytes, context: context)
    }

    /// Answers with `text` and a newline as plain text.
    private func respond(
        _ status: HTTPResponseStatus,
        text: String,
        headers: HTTPHeaders = HTTPHeaders(),
        context: ChannelHandlerContext
    ) {
        var body = context.channel.allocator.buffer(capacity: text.utf8.count + 1)
        body.writeString(text)
        body.writeStaticString("\n")
        self.write(status, contentType: "text/plain; charset=utf-8", body: body, headers: headers, context: context)
    }

    /// Writes the whole response, then closes the connection (one request per connection).
    private func write(
        _ status: HTTPResponseStatus,
        contentType: String,
        body: ByteBuffer,
        headers extra: HTTPHeaders = HTTPHeaders(),
        context: ChannelHandlerContext
    ) {
        var headers = extra
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Cache-Control", value: "no-cache")
        headers.add(name: "Connection", value: "close")
        context.write(
            Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
            promise: nil
        )
        if body.readableBytes > 0 { context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
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
