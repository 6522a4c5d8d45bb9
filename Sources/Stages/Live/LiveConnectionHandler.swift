import Logging
import NIOCore
import NIOWebSocket

/// One WebSocket connection of the live server, after the upgrade: reads the client's frames, answers
/// them, and writes the positions of the topics it subscribes to.
///
/// It writes whole frames (``ServerFrame``) as raw bytes, past NIO's frame encoder, which is not in the
/// pipeline: a position frame is one buffer shared by all its subscribers.
///
/// Sending (see `LiveConnectionHandler+Sending.swift`): while the channel is writable and nothing waits,
/// messages are written at once; otherwise they wait in a ``LiveOutboundQueue`` (coalescing positions,
/// never dropping control messages) and the server stops reading the client's frames. A connection whose
/// queue stays non-empty longer than the slow-client timeout is closed with 1008.
///
/// - Important: Lives on its channel's event loop: NIO calls it there, the hub delivers there, and fetch
///   results are brought there. No property is touched anywhere else.
final class LiveConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State {
        /// Serving requests and positions.
        case open
        /// A close frame was sent: waiting for the client's, or for the close timeout.
        case closing
        /// The channel is closed or the handler removed.
        case closed
    }

    let environment: LiveConnectionEnvironment
    let loop: LiveLoop
    let userID: String
    /// The upgrade request's `Cookie` header, forwarded to the CMS with each `subscribe`.
    let cookie: String?
    var logger: Logger
    var context: ChannelHandlerContext?
    var state = State.open
    var subscriptions: [LiveTopic: LiveSubscription] = [:]
    /// What waits for the client while it is behind.
    var queue: LiveOutboundQueue
    /// When the queue last went from empty to non-empty.
    var behindSince: NIODeadline?
    var slowTimer: Scheduled<Void>?
    var closeTimer: Scheduled<Void>?
    /// Messages written and not yet flushed.
    var unflushed = 0
    var subscribesInFlight = 0
    /// A `read` the server held back (see ``read(context:)``).
    var isReadHeld = false
    /// The text message being reassembled from fragments.
    var fragments: ByteBuffer?
    /// A fragmented binary message is being skipped.
    var isSkippingFragments = false

    init(environment: LiveConnectionEnvironment, loop: LiveLoop, userID: String, cookie: String?, logger: Logger) {
        self.environment = environment
        self.loop = loop
        self.userID = userID
        self.cookie = cookie
        self.logger = logger
        self.queue = LiveOutboundQueue(capacity: environment.clientQueue, policy: .newestPerKey)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.environment.metrics.connectionsChanged(by: 1)
        self.logger.info("live connection opened")
        if !context.channel.isActive { self.tearDown() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.tearDown()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.tearDown()
        context.fireChannelInactive()
    }

    /// Forgets every subscription and whatever waits; counts and logs the close. Idempotent.
    private func tearDown() {
        guard self.state != .closed else { return }
        self.state = .closed
        self.leaveAllSubscriptions()
        self.queue.removeAll()
        self.fragments = nil
        self.stopBehind()
        self.closeTimer?.cancel()
        self.closeTimer = nil
        self.environment.metrics.connectionsChanged(by: -1)
        self.logger.info("live connection closed")
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is LiveServer.ShutdownEvent {
            self.close(code: LiveCloseCode.goingAway, reason: "server shutting down")
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error as? NIOWebSocketError {
        case .invalidFrameLength?:
            self.close(code: LiveCloseCode.messageTooLarge, reason: "frame too large", closeWhenSent: true)
        case .some:
            self.close(code: LiveCloseCode.protocolError, reason: "invalid frame", closeWhenSent: true)
        case nil:
            self.logger.debug("live connection failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    // MARK: Reading

    /// Holds reads back while messages wait for the client (it is behind: reading more requests would only
    /// queue more answers) or too many `subscribe` requests are in flight; ``resumeReadingIfHeld()`` lets
    /// them go.
    func read(context: ChannelHandlerContext) {
        if self.shouldHoldReads {
            self.isReadHeld = true
        } else {
            context.read()
        }
    }

    private var shouldHoldReads: Bool {
        self.state == .open
            && (!self.queue.isEmpty || self.subscribesInFlight >= self.environment.maxSubscribesInFlight)
    }

    func resumeReadingIfHeld() {
        guard self.isReadHeld, !self.shouldHoldReads, let context = self.context else { return }
        self.isReadHeld = false
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        guard frame.maskKey != nil else {
            self.close(code: LiveCloseCode.protocolError, reason: "client frames must be masked", closeWhenSent: true)
            return
        }
        switch frame.opcode {
        case .connectionClose:
            self.receivedClose(frame)
        case .ping:
            if self.state == .open {
                context.write(Self.wrapOutboundOut(ServerFrame.pong(frame.unmaskedData)), promise: nil)
                context.flush()
            }
        case .pong:
            break
        case .text, .binary, .continuation:
            self.receivedData(frame)
        default:
            self.close(code: LiveCloseCode.protocolError, reason: "unknown opcode", closeWhenSent: true)
        }
        self.flushAndCount()
    }

    /// A text, binary or continuation frame: reassembles fragmented messages, answers binary ones with
    /// `bad-request`, and handles each whole text message.
    private func receivedData(_ frame: WebSocketFrame) {
        guard self.state == .open else { return }
        switch frame.opcode {
        case .text where self.fragments == nil && !self.isSkippingFragments:
            if frame.fin { self.received(frame.unmaskedData) } else { self.fragments = frame.unmaskedData }
        case .binary where self.fragments == nil && !self.isSkippingFragments:
            if frame.fin { self.answerBinary() } else { self.isSkippingFragments = true }
        case .continuation where self.fragments != nil:
            var data = frame.unmaskedData
            self.fragments!.writeBuffer(&data)
            guard self.fragments!.readableBytes <= self.environment.maxMessageSize else {
                self.close(code: LiveCloseCode.messageTooLarge, reason: "message too large", closeWhenSent: true)
                return
            }
            if frame.fin {
                let message = self.fragments!
                self.fragments = nil
                self.received(message)
            }
        case .continuation where self.isSkippingFragments:
            if frame.fin {
                self.isSkippingFragments = false
                self.answerBinary()
            }
        default:
            self.close(code: LiveCloseCode.protocolError, reason: "unexpected continuation", closeWhenSent: true)
        }
    }

    private func answerBinary() {
        self.send(control: LiveMessage.error(.badRequest, topic: nil, message: "frames are JSON text, not binary"))
    }

    /// One whole text message: a request, or an error answer.
    private func received(_ message: ByteBuffer) {
        switch LiveRequest.parse(message) {
        case .success(.subscribe(let topic)):
            self.subscribe(to: topic)
        case .success(.unsubscribe(let topic)):
            self.unsubscribe(from: topic)
        case .failure(let error):
            self.send(control: LiveMessage.error(error.code, topic: error.topic, message: error.message))
        }
    }

    // MARK: Closing

    /// The client's close frame: answered with the same code (RFC 6455 §5.5.1) and the connection closed
    /// once the answer is written; or, when the server started closing, the end of the handshake.
    private func receivedClose(_ frame: WebSocketFrame) {
        switch self.state {
        case .open:
            var data = frame.unmaskedData
            var code = data.readInteger(as: UInt16.self) ?? LiveCloseCode.normal
            if !(1000..<5000).contains(code) || [1004, 1005, 1006, 1015].contains(code) { code = LiveCloseCode.normal }
            self.close(code: code, reason: "", closeWhenSent: true)
        case .closing:
            self.context?.close(promise: nil)
        case .closed:
            break
        }
    }

    /// Starts the closing handshake: forgets subscriptions and waiting messages, sends a close frame, and
    /// closes the TCP connection when the client answers, when the frame is written (`closeWhenSent`), or
    /// after the close timeout, whichever comes first.
    func close(code: UInt16, reason: String, closeWhenSent: Bool = false) {
        guard self.state == .open, let context = self.context else { return }
        self.state = .closing
        self.leaveAllSubscriptions()
        self.queue.removeAll()
        self.stopBehind()
        let written = context.writeAndFlush(Self.wrapOutboundOut(ServerFrame.close(code: code, reason: reason)))
        if closeWhenSent {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
        self.closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: self.environment.closeTimeout) {
            context.close(promise: nil)
        }
        // The client's close frame must be read even if reads were held back.
        if self.isReadHeld {
            self.isReadHeld = false
            context.read()
        }
    }

    private func leaveAllSubscriptions() {
        for subscription in self.subscriptions.values { self.loop.unsubscribe(subscription) }
        self.subscriptions.removeAll()
    }
}
