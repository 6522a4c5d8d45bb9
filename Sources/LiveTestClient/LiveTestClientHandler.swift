import NIOCore
import NIOWebSocket
import Synchronization

/// Where a client's handler puts what it receives; read by ``LiveTestClient``.
///
/// - Important: Thread-safe: the handler writes on the event loop, the client reads from any task.
final class LiveTestClientSink: Sendable {
    private let continuation: AsyncStream<LiveTestClient.Message>.Continuation
    private let onMessage: (@Sendable (LiveTestClient.Message) -> Void)?
    private let state = Mutex(State())

    private struct State {
        var closeFrame: LiveTestClient.Close?
        var isCloseSent = false
        var pongs = 0
    }

    init(
        continuation: AsyncStream<LiveTestClient.Message>.Continuation,
        onMessage: (@Sendable (LiveTestClient.Message) -> Void)?
    ) {
        self.continuation = continuation
        self.onMessage = onMessage
    }

    func received(_ message: LiveTestClient.Message) {
        if let onMessage = self.onMessage {
            onMessage(message)
        } else {
            self.continuation.yield(message)
        }
    }

    func finish() {
        self.continuation.finish()
    }

    func receivedClose(_ close: LiveTestClient.Close) {
        self.state.withLock { $0.closeFrame = $0.closeFrame ?? close }
    }

    func receivedPong() {
        self.state.withLock { $0.pongs += 1 }
    }

    /// Records that the client sends a close frame; `false` when one was sent already.
    func markCloseSent() -> Bool {
        self.state.withLock { state in
            defer { state.isCloseSent = true }
            return !state.isCloseSent
        }
    }

    var closeFrame: LiveTestClient.Close? { self.state.withLock { $0.closeFrame } }
    var pongsReceived: Int { self.state.withLock { $0.pongs } }
}

/// The client's WebSocket frames: text messages to the sink (reassembled if fragmented), pings answered,
/// and the server's close frame answered and the connection closed.
final class LiveTestClientHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let sink: LiveTestClientSink
    private var fragments: ByteBuffer?

    init(sink: LiveTestClientSink) {
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            if frame.fin {
                self.sink.received(.init(payload: frame.unmaskedData, receivedAt: .now))
            } else {
                self.fragments = frame.unmaskedData
            }
        case .continuation:
            guard var fragments = self.fragments else { return }
            var data = frame.unmaskedData
            fragments.writeBuffer(&data)
            if frame.fin {
                self.fragments = nil
                self.sink.received(.init(payload: fragments, receivedAt: .now))
            } else {
                self.fragments = fragments
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        case .pong:
            self.sink.receivedPong()
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self)
            let reason = data.readString(length: data.readableBytes) ?? ""
            self.sink.receivedClose(.init(code: code, reason: reason))
            if self.sink.markCloseSent() {
                var answer = context.channel.allocator.buffer(capacity: 2)
                if let code { answer.writeInteger(code) }
                let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: answer)
                context.writeAndFlush(Self.wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            } else {
                context.close(promise: nil)
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.sink.finish()
        context.fireChannelInactive()
    }
}
