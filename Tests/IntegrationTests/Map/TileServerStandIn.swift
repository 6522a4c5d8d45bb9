import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A site's tile server, standing in for one (`pipelines.live-broadcast.map_tiles` may point at any): on
/// 127.0.0.1, any free port, it answers every `GET /tiles/<z>/<x>/<y>.png` with a one-pixel PNG (one of two
/// shades of green by `x + y`, so that a screenshot shows the tiles' grid) and records each path asked for.
final class TileServerStandIn: Sendable {
    let port: Int
    private let channel: any Channel
    private let recorder: Recorder

    /// The URL template for `map_tiles`.
    var template: String { "http://127.0.0.1:\(self.port)/tiles/{z}/{x}/{y}.png" }

    /// The paths asked for so far, in order.
    var paths: [String] { self.recorder.paths.withLock { $0 } }

    private init(port: Int, channel: any Channel, recorder: Recorder) {
        self.port = port
        self.channel = channel
        self.recorder = recorder
    }

    static func start() async throws -> TileServerStandIn {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(TileHandler(recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TileServerStandIn(port: channel.localAddress?.port ?? 0, channel: channel, recorder: recorder)
    }

    func stop() async {
        try? await self.channel.close()
    }

    final class Recorder: Sendable {
        let paths = Mutex<[String]>([])
    }

    /// One pixel, #dfe9d6 and #cfe0c3.
    static let tiles = [
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGO4//IaAAVJAp8fbwmhAAAAAElFTkSuQmCC",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4/+AwAAT0AnPzygYsAAAAAElFTkSuQmCC",
    ].map { Data(base64Encoded: $0)! }

    private final class TileHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let recorder: Recorder
        private var path: String?

        init(recorder: Recorder) {
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch Self.unwrapInboundIn(data) {
            case .head(let head):
                self.path = head.uri
            case .body:
                break
            case .end:
                guard let path = self.path else { return }
                self.recorder.paths.withLock { $0.append(path) }
                let parts = path.split(separator: "/")
                var status = HTTPResponseStatus.notFound
                var body = ByteBuffer()
                if parts.count == 4, parts[0] == "tiles", let x = Int(parts[2]),
                    let y = Int(parts[3].prefix { $0 != "." })
                {
                    status = .ok
                    body = ByteBuffer(bytes: TileServerStandIn.tiles[(x + y) % 2])
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: status == .ok ? "image/png" : "text/plain")
                headers.add(name: "Content-Length", value: "\(body.readableBytes)")
                let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
                context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
                context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
