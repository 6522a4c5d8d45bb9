import Logging
import NIOCore
import NIOWebSocket

/// One WebSocket connection of the live server, after the upgrade: reads the client's frames, answers
/// them, and writes the positions of the topics it subscribes to.
///
/// A thin shell around ``LiveConnectionStateMachine``, which decides everything: this handler feeds it NIO's
/// events, the subscribe answers, the loop's deliveries and the timers, and carries out the actions it
/// returns (write, flush, close, join or leave a topic, fetch, schedule or cancel a timer, count, log). It
/// keeps only the handles of what it carries out: the context and the two timers.
///
/// It writes whole frames (``ServerFrame``) as raw bytes, past NIO's frame encoder, which is not in the
/// pipeline: a position frame is one buffer shared by all its subscribers.
///
/// - Important: Lives on its channel's event loop: NIO calls it there, the hub delivers there, and fetch
///   results are brought there. No property is touched anywhere else.
final class LiveConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let environment: LiveConnectionEnvironment
    let loop: LiveLoop
    let userID: String
    /// The upgrade request's `Cookie` header, forwarded to the CMS with each `subscribe`.
    let cookie: String?
    var logger: Logger
    var context: ChannelHandlerContext?
    var machine: LiveConnectionStateMachine
    /// Set while the client is behind (the machine says when it starts and stops).
    var slowTimer: Scheduled<Void>?
    /// Set while the closing handshake is under way.
    var closeTimer: Scheduled<Void>?

    init(environment: LiveConnectionEnvironment, loop: LiveLoop, userID: String, cookie: String?, logger: Logger) {
        self.environment = environment
        self.loop = loop
        self.userID = userID
        self.cookie = cookie
        self.logger = logger
        self.machine = LiveConnectionStateMachine(
            configuration: .init(
                clientQueue: environment.clientQueue,
                maxSubscribesInFlight: environment.maxSubscribesInFlight,
                maxMessageSize: environment.maxMessageSize
            )
        )
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        guard self.machine.handlerAdded() else { return }
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
        guard let action = self.machine.channelClosed() else { return }
        for topic in action.leave { self.loop.unsubscribe(self, from: topic) }
        if action.stopsSlowTimer { self.cancelSlowTimer() }
        if action.stopsCloseTimer {
            self.closeTimer?.cancel()
            self.closeTimer = nil
        }
        self.environment.metrics.connectionsChanged(by: -1)
        self.logger.info("live connection closed")
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is LiveServer.ShutdownEvent {
            if let action = self.machine.shutdown() { self.close(action) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch self.machine.errorCaught(error) {
        case .none:
            break
        case .close(let action):
            self.close(action)
        case .closeChannel:
            self.logger.debug("live connection failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    // MARK: Reading

    /// Holds reads back while the machine says so (the client is behind, or too many `subscribe` requests are
    /// in flight); the events that end it issue the held read.
    func read(context: ChannelHandlerContext) {
        if self.machine.read() { context.read() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.machine.frameReceived(Self.unwrapInboundIn(data)) {
        case .none:
            break
        case .pong(let bytes):
            context.write(Self.wrapOutboundOut(bytes), promise: nil)
            context.flush()
        case .answer(let bytes):
            self.send(.control(bytes), now: .now())
        case .subscribe(let topic, let id, let join):
            if join { self.loop.subscribe(self, to: topic) }
            self.fetch(topic, id: id)
        case .unsubscribe(let topic, let leave, let answer):
            if leave { self.loop.unsubscribe(self, from: topic) }
            self.send(.control(answer), now: .now())
        case .close(let action):
            self.close(action)
        case .closeChannel:
            context.close(promise: nil)
        }
        self.flushAndCount()
    }

    // MARK: Closing

    /// Carries out the start of the closing handshake: leaves the topics, sends the close frame, and closes
    /// the TCP connection when the client answers, when the frame is written (`closeWhenSent`), or after the
    /// close timeout, whichever comes first.
    func close(_ action: LiveConnectionStateMachine.CloseAction) {
        guard let context = self.context else { return }
        for topic in action.leave { self.loop.unsubscribe(self, from: topic) }
        if action.stopsSlowTimer { self.cancelSlowTimer() }
        let frame = ServerFrame.close(code: action.code, reason: action.reason)
        let written = context.writeAndFlush(Self.wrapOutboundOut(frame))
        if action.closeWhenSent {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
        self.closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: self.environment.closeTimeout) {
            self.closeTimerFired()
        }
        if action.resumesReading { context.read() }
    }

    private func closeTimerFired() {
        self.closeTimer = nil
        if self.machine.closeTimerFired() { self.context?.close(promise: nil) }
    }
}
