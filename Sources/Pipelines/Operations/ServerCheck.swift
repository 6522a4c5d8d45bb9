import Foundation
import Stages
import Synchronization

/// A connection a ``ServerCheck`` asks whether its server answers.
protocol CheckConnection: Sendable {
    /// Asks the server one trivial question; throws when it does not answer as expected.
    func ping() async throws
    /// Closes the connection; runs after any call still blocked on it has returned.
    func close() async
}

/// One server the readiness checker asks (`PING`, `SELECT 1`), on a dedicated connection of its own.
///
/// The connection is made on the first check and kept; after a failed answer it reconnects by itself on
/// the next check, as the project's clients do.
///
/// - Important: ``check()`` returns within about the check timeout, whatever the server does. A check
///   that times out abandons its connection (its call may be blocked in C until the server wakes up or
///   the kernel gives up) and the next check makes a fresh one; the abandoned connection is closed once
///   its call returns. At most ``maxAbandoned`` connections wait like that: beyond it, checks fail at once
///   without asking, so a server that hangs for hours costs a bounded number of threads and sockets.
final class ServerCheck: Sendable {
    /// How many timed-out connections may still be waiting for their call to return.
    static let maxAbandoned = 2

    /// `redis` or `postgres`: the prefix of this check's problems.
    let name: String
    /// `host:port` of the server, for messages.
    let endpoint: String
    let timeout: Duration
    private let makeConnection: @Sendable () throws -> any CheckConnection
    private let state: Mutex<Connections>

    private struct Connections {
        var current: (any CheckConnection)?
        var abandoned = 0
    }

    /// - Parameters:
    ///   - first: The connection of the first check (its client connects on first use), made by the caller
    ///     so that an invalid URL fails at start-up; `makeConnection` makes the later ones.
    init(
        name: String,
        endpoint: String,
        timeout: Duration,
        first: (any CheckConnection)? = nil,
        makeConnection: @escaping @Sendable () throws -> any CheckConnection
    ) {
        self.name = name
        self.endpoint = endpoint
        self.timeout = timeout
        self.makeConnection = makeConnection
        self.state = Mutex(Connections(current: first))
    }

    /// Asks the server once; nil when it answered, otherwise what went wrong (one line).
    func check() async -> String? {
        let connection: any CheckConnection
        do {
            guard let ready = try self.connectionForCheck() else {
                let waiting = "(earlier checks are still waiting)"
                return "no answer from \(self.endpoint) within \(Self.text(self.timeout)) \(waiting)"
            }
            connection = ready
        } catch {
            return Self.describe(error)
        }
        switch await withDeadline(self.timeout, { try await connection.ping() }) {
        case .finished(.success):
            return nil
        case .finished(.failure(let error)):
            return Self.describe(error)
        case .timedOut:
            self.abandon(connection)
            return "no answer from \(self.endpoint) within \(Self.text(self.timeout))"
        }
    }

    /// Closes the current connection (abandoned ones close themselves once their call returns).
    func close() async {
        let connection = self.state.withLock { state in
            defer { state.current = nil }
            return state.current
        }
        await connection?.close()
    }

    private func connectionForCheck() throws -> (any CheckConnection)? {
        try self.state.withLock { state in
            if let current = state.current { return current }
            guard state.abandoned < Self.maxAbandoned else { return nil }
            let connection = try self.makeConnection()
            state.current = connection
            return connection
        }
    }

    private func abandon(_ connection: any CheckConnection) {
        self.state.withLock { state in
            state.current = nil
            state.abandoned += 1
        }
        Task {
            await connection.close()
            self.state.withLock { $0.abandoned -= 1 }
        }
    }

    /// One line: the clients' errors name the endpoint and what happened; libpq's span several lines.
    static func describe(_ error: any Error) -> String {
        let text: String
        switch error {
        case let error as RedisError where error.kind == .connect:
            text = "cannot connect to \(error.endpoint): \(error.message)"
        case let error as RedisError:
            text = "\(error.endpoint): \(error.command) failed: \(error.message)"
        case let error as PostgresError where error.kind == .connect:
            text = "cannot connect to \(error.endpoint): \(Self.libpqReason(error.message))"
        case let error as PostgresError:
            text = "\(error.endpoint): '\(error.statement)' failed: \(error.message)"
        default:
            text = "\(error)"
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The reason in libpq's connection message, without the server's address (the endpoint says it) or the
    /// hint that follows: `connection to server at "h", port 1 failed: Connection refused Is the server
    /// running…` → `Connection refused`. Anything else is kept whole.
    static func libpqReason(_ message: String) -> String {
        var reason = Substring(message)
        if let failed = reason.range(of: " failed: ") { reason = reason[failed.upperBound...] }
        if let hint = reason.range(of: "Is the server running") { reason = reason[..<hint.lowerBound] }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? message : trimmed
    }

    /// `2 s`, `500 ms`.
    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}

/// A check's answer was not the expected one.
struct UnexpectedAnswer: Error, CustomStringConvertible {
    var description: String
}

extension RedisConnection: CheckConnection {
    func ping() throws {
        let reply = try self.send(["PING"])
        guard reply.string == "PONG" else {
            throw UnexpectedAnswer(description: "\(self.endpoint): PING answered \(reply) instead of PONG")
        }
    }
}

extension PostgresConnection: CheckConnection {
    func ping() throws {
        let rows = try self.query("SELECT 1")
        guard rows.rows.first?.first == "1" else {
            throw UnexpectedAnswer(description: "\(self.endpoint): SELECT 1 answered \(rows.rows)")
        }
    }
}

extension ServerCheck {
    /// `PING` over `RedisConnection`s named `ops-check`, whose own connect and command timeouts are the
    /// check's timeout (so hiredis itself gives up in time, and a connection rarely needs abandoning).
    static func redis(url: String, timeout: Duration) throws(RedisError) -> ServerCheck {
        var configuration = RedisConnection.Configuration()
        configuration.connectTimeout = timeout
        configuration.commandTimeout = timeout
        let first = try RedisConnection(url: url, name: "ops-check", configuration: configuration)
        let settings = configuration
        return ServerCheck(name: "redis", endpoint: first.endpoint, timeout: timeout, first: first) {
            try RedisConnection(url: url, name: "ops-check", configuration: settings)
        }
    }

    /// `SELECT 1` over `PostgresConnection`s named `ops-check`. libpq has no timeout of its own for a
    /// statement, so a hung server is handled by abandoning the connection (see ``ServerCheck``); connecting
    /// is bounded by `connect_timeout`, added to the URL unless it sets one.
    static func postgres(url: String, timeout: Duration) -> ServerCheck {
        let checkURL = Self.postgresURL(url, timeout: timeout)
        let first = PostgresConnection(url: checkURL, name: "ops-check")
        return ServerCheck(name: "postgres", endpoint: first.endpoint, timeout: timeout, first: first) {
            PostgresConnection(url: checkURL, name: "ops-check")
        }
    }

    /// `url` with `connect_timeout` (whole seconds, at least 2: libpq's minimum) and
    /// `application_name=flowrun-ops-check`, unless it sets them.
    static func postgresURL(_ url: String, timeout: Duration) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var items = components.queryItems ?? []
        let (seconds, attoseconds) = timeout.components
        let connectTimeout = max(2, seconds + (attoseconds > 0 ? 1 : 0))
        if !items.contains(where: { $0.name == "connect_timeout" }) {
            items.append(URLQueryItem(name: "connect_timeout", value: String(connectTimeout)))
        }
        if !items.contains(where: { $0.name == "application_name" }) {
            items.append(URLQueryItem(name: "application_name", value: "flowrun-ops-check"))
        }
        components.queryItems = items
        return components.string ?? url
    }
}
