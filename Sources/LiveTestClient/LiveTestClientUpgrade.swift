import NIOCore
import NIOHTTP1
import NIOWebSocket
import Synchronization

/// The client's upgrade: NIO's HTTP client and WebSocket upgrader, and a handler that catches a refusal's
/// status and body. Completes once, with whatever happens first.
final class LiveTestClientUpgrade: Sendable {
    enum Outcome: Sendable {
        case upgraded
        case refused(status: Int, body: String)
    }

    let promise: EventLoopPromise<Outcome>
    private let isCompleted = Atomic(false)

    init(promise: EventLoopPromise<Outcome>) {
        self.promise = promise
    }

    func complete(_ result: Result<Outcome, any Error>) {
        guard !self.isCompleted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.promise.completeWith(result)
    }

    /// Sets up `channel`'s pipeline (on its event loop).
    static func configure(
        _ channel: any Channel,
        outcome: LiveTestClientUpgrade,
        sink: LiveTestClientSink,
        maxFrameSize: Int
    ) throws {
        let upgrader = NIOWebSocketClientUpgrader(
            maxFrameSize: maxFrameSize,
            automaticErrorHandling: true,
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LiveTestClientHandler(sink: sink))
                    outcome.complete(.success(.upgraded))
                }
            }
        )
        let refusal = RefusalHandler(outcome: outcome)
        let boundRefusal = NIOLoopBound(refusal, eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHTTPClientHandlers(
            withClientUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    context.pipeline.syncOperations.removeHandler(boundRefusal.value, promise: nil)
                }
            )
        )
        try channel.pipeline.syncOperations.addHandler(refusal)
    }

    /// Receives the response when the server does not switch protocols.
    private final class RefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPClientResponsePart

        private let outcome: LiveTestClientUpgrade
        private var status = 0
        private var body = ""

        init(outcome: LiveTestClientUpgrade) {
            self.outcome = outcome
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch Self.unwrapInboundIn(data) {
            case .head(let head):
                self.status = Int(head.status.code)
            case .body(let buffer):
                self.body += String(buffer: buffer)
            case .end:
                self.outcome.complete(.success(.refused(status: self.status, body: self.body)))
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            self.outcome.complete(.failure(error))
            context.close(promise: nil)
        }
    }
}
