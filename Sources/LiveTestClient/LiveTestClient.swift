import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A WebSocket client of the live protocol (CONTRACT §5), for tests and the live benchmark.
///
/// ```swift
/// switch try await LiveTestClient.connect(host: "127.0.0.1", port: port, cookie: "session=…") {
/// case .refused(let status, _): …                      // 401, 503, …
/// case .connected(let client):
///     try await client.send(#"{"type":"subscribe","topic":"event:…"}"#)
///     for await message in client.messages { … }        // or pass `onMessage` to connect
/// }
/// ```
///
/// Cheap enough for a thousand connections in one process: a message is the received frame's bytes (a slice
/// of the read buffer, not a copy) and the instant it was read; with `onMessage` it is handed over on the
/// event loop, with no stream in between. ``setReading(_:)`` stops reading the socket, like a browser that
/// cannot keep up, so that the server's writes back up.
///
/// - Important: Thread-safe. Messages arrive in the order the server sent them.
public final class LiveTestClient: Sendable {
    /// One text message from the server.
    public struct Message: Sendable {
        /// The message's payload (the whole message when it came in fragments).
        public let payload: ByteBuffer
        /// When its last frame was read from the socket.
        public let receivedAt: ContinuousClock.Instant

        /// The payload as text.
        public var text: String { String(buffer: self.payload) }
    }

    /// The server's close frame.
    public struct Close: Sendable, Hashable {
        /// The status code, `nil` when the frame had none.
        public var code: UInt16?
        public var reason: String
    }

    /// How a connection attempt ended.
    public enum Connection: Sendable {
        /// Upgraded to WebSocket.
        case connected(LiveTestClient)
        /// Answered with an HTTP status other than 101; the connection is closed.
        case refused(status: Int, body: String)

        /// The client, or `nil` when refused.
        public var client: LiveTestClient? {
            if case .connected(let client) = self { return client }
            return nil
        }
    }

    public struct Options: Sendable {
        /// `SO_RCVBUF` for the socket, set before connecting (small: the server's writes back up sooner when
        /// not reading). `nil`: the system's default.
        public var receiveBufferSize: Int?
        /// The longest frame accepted from the server. Default: 16 MiB.
        public var maxFrameSize = 1 << 24
        /// Default: 10 s.
        public var connectTimeout: Duration = .seconds(10)

        public init(receiveBufferSize: Int? = nil) {
            self.receiveBufferSize = receiveBufferSize
        }
    }

    public let channel: any Channel
    /// The server's text messages, finished when the connection closes; empty when `onMessage` was given.
    public let messages: AsyncStream<Message>
    let sink: LiveTestClientSink

    private init(channel: any Channel, messages: AsyncStream<Message>, sink: LiveTestClientSink) {
        self.channel = channel
        self.messages = messages
        self.sink = sink
    }

    /// Connects to `ws://host:port/path` with `cookie` as the `Cookie` header (none when `nil`).
    ///
    /// - Parameter onMessage: called on the connection's event loop for each text message, instead of
    ///   feeding ``messages``; it must be quick and must not block.
    public static func connect(
        host: String,
        port: Int,
        path: String = "/live",
        cookie: String? = nil,
        options: Options = Options(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onMessage: (@Sendable (Message) -> Void)? = nil
    ) async throws -> Connection {
        let (messages, continuation) = AsyncStream.makeStream(of: Message.self)
        let sink = LiveTestClientSink(continuation: continuation, onMessage: onMessage)
        if onMessage != nil { continuation.finish() }
        let outcome = LiveTestClientUpgrade(promise: group.any().makePromise(of: LiveTestClientUpgrade.Outcome.self))
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(options.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        if let size = options.receiveBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(size))
        }
        let maxFrameSize = options.maxFrameSize
        bootstrap = bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try LiveTestClientUpgrade.configure(channel, outcome: outcome, sink: sink, maxFrameSize: maxFrameSize)
            }
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            outcome.complete(.failure(error))
            continuation.finish()
            throw error
        }
        channel.closeFuture.whenComplete { _ in
            outcome.complete(.failure(LiveTestClientError.closedBeforeUpgrade))
            sink.finish()
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        if let cookie { head.headers.add(name: "Cookie", value: cookie) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        switch try await outcome.promise.futureResult.get() {
        case .upgraded:
            return .connected(LiveTestClient(channel: channel, messages: messages, sink: sink))
        case .refused(let status, let body):
            continuation.finish()
            return .refused(status: status, body: body)
        }
    }

    /// Sends a text frame (masked, as clients must).
    public func send(_ text: String) async throws {
        let frame = WebSocketFrame(
            fin: true,
            opcode: .text,
            maskKey: .random(),
            data: self.channel.allocator.buffer(string: text)
        )
        try await self.channel.writeAndFlush(frame).get()
    }

    /// Sends a ping; ``pongsReceived`` counts the answers.
    public func ping(_ payload: String = "") async throws {
        let frame = WebSocketFrame(
            fin: true,
            opcode: .ping,
            maskKey: .random(),
            data: self.channel.allocator.buffer(string: payload)
        )
        try await self.channel.writeAndFlush(frame).get()
    }

    /// Starts or stops reading the socket (`autoRead`). While not reading, the kernel's buffers fill and the
    /// server's writes back up, as with a browser that cannot keep up.
    public func setReading(_ reading: Bool) async throws {
        try await self.channel.setOption(ChannelOptions.autoRead, value: reading).get()
    }

    /// Starts the closing handshake with `code` and waits until the connection is closed.
    public func close(code: UInt16 = 1000) async {
        if self.sink.markCloseSent() {
            var data = self.channel.allocator.buffer(capacity: 2)
            data.writeInteger(code)
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
            self.channel.writeAndFlush(frame, promise: nil)
        }
        _ = await self.waitUntilClosed()
    }

    /// Waits until the TCP connection is closed; returns the server's close frame, if one came.
    @discardableResult
    public func waitUntilClosed() async -> Close? {
        try? await self.channel.closeFuture.get()
        return self.sink.closeFrame
    }

    /// The server's close frame, once received.
    public var closeFrame: Close? { self.sink.closeFrame }

    /// Pongs received.
    public var pongsReceived: Int { self.sink.pongsReceived }

    /// Whether the TCP connection is open.
    public var isActive: Bool { self.channel.isActive }
}

/// Why ``LiveTestClient/connect(host:port:path:cookie:options:group:onMessage:)`` failed.
public enum LiveTestClientError: Error, Hashable {
    /// The connection closed before the upgrade's answer.
    case closedBeforeUpgrade
}
