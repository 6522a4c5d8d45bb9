import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 answer as a test reads it.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    var contentType: String? { self.headers.first(name: "Content-Type") }
}

/// A plain HTTP/1.1 request over NIO (the integration tests do not depend on an HTTP client library):
/// one connection per request, `Connection: close`, the whole request in one write.
func httpRequest(
    _ method: HTTPMethod = .GET,
    port: Int,
    path: String,
    host: String = "127.0.0.1"
) async throws -> HTTPAnswer {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(.seconds(5))
        .connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                    wrappingChannelSynchronously: channel
                )
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Connection", value: "close")
        // Head and end in one write: the server answers a `Connection: close` request as soon as it has the
        // head and then closes its side, and NIO closes this channel on that end of input. A separate write
        // of `.end` delayed past that (a loaded machine) failed with "I/O on closed channel".
        try await outbound.write(contentsOf: [.head(head), .end(nil)])
        var answer = HTTPAnswer(status: 0, headers: [:], body: "")
        for try await part in inbound {
            switch part {
            case .head(let response):
                answer.status = Int(response.status.code)
                answer.headers = response.headers
            case .body(var buffer):
                answer.body += buffer.readString(length: buffer.readableBytes) ?? ""
            case .end:
                return answer
            }
        }
        throw HarnessError("\(method) \(path) on port \(port): the connection closed before the answer ended")
    }
}
