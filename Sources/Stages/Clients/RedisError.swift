/// A Redis command or connection failed; says where, which command, and what happened.
public struct RedisError: Error, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The URL could not be understood.
        case invalidURL
        /// No connection could be made (refused, unreachable, timed out, authentication failed).
        case connect
        /// The connection broke or timed out during a command; it is dropped and the next command reconnects.
        case connectionLost
        /// Redis answered with an error reply (e.g. `NOGROUP`, `BUSYGROUP`, `WRONGTYPE`).
        case server
    }

    public var kind: Kind
    /// `host:port` of the server.
    public var endpoint: String
    /// The command's name (`XREADGROUP`), without its arguments.
    public var command: String
    public var message: String

    public init(kind: Kind, endpoint: String, command: String, message: String) {
        self.kind = kind
        self.endpoint = endpoint
        self.command = command
        self.message = message
    }

    /// For a server error, its first word (`BUSYGROUP`, `NOGROUP`, `ERR`…).
    public var serverCode: String? {
        guard self.kind == .server else { return nil }
        return self.message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    public var description: String {
        switch self.kind {
        case .invalidURL:
            return "invalid Redis URL '\(self.endpoint)': \(self.message) (expected redis://[:password@]host:port[/db])"
        case .connect:
            return "cannot connect to Redis at \(self.endpoint): \(self.message) (is redis-server running there?)"
        case .connectionLost:
            return "Redis at \(self.endpoint): \(self.command) failed: \(self.message); the connection is dropped and"
                + " will be re-established"
        case .server:
            return "Redis at \(self.endpoint) refused \(self.command): \(self.message)"
        }
    }
}
