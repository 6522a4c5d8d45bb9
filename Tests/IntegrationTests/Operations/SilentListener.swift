import Foundation

/// A TCP port on 127.0.0.1 that completes connections (the kernel does, from its backlog) and never reads
/// or answers: a server that hangs.
final class SilentListener: Sendable {
    let port: Int
    private let socket: Int32

    init() throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            Glibc.close(descriptor)
            throw HarnessError("bind/listen failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.socket = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts, without waiting, the connections waiting in the backlog, closes them, and says how many there
    /// were: how many clients connected.
    func acceptPending() -> Int {
        let flags = fcntl(self.socket, F_GETFL)
        _ = fcntl(self.socket, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(self.socket, F_SETFL, flags) }
        var accepted = 0
        while case let client = accept(self.socket, nil, nil), client >= 0 {
            Glibc.close(client)
            accepted += 1
        }
        return accepted
    }

    func close() {
        Glibc.close(self.socket)
    }
}
