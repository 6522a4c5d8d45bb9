import NIOCore
import NIOPosix

/// A TCP port free now on 127.0.0.1 (bound to port 0 and released), for a server started later: one that must
/// keep its port across restarts, or a child process told its port. Another program could take it in between;
/// the server then fails with its own error.
public func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 0
    try await channel.close()
    return port
}
