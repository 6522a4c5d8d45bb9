import BenchmarkSupport
import Foundation

/// A TCP port free on 127.0.0.1 right now: bound to port 0, read back, closed. Another program could take it
/// before flowrun binds it; the benchmark then fails with flowrun's own error.
func freeLoopbackPort() throws(BenchmarkFailure) -> Int {
    let socketHandle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketHandle >= 0 else { throw BenchmarkFailure("cannot open a socket to find a free port: errno \(errno)") }
    defer { close(socketHandle) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let found = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(socketHandle, socketAddress, length) == 0 && getsockname(socketHandle, socketAddress, &length) == 0
        }
    }
    guard found else { throw BenchmarkFailure("cannot bind a socket on 127.0.0.1 to find a free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
