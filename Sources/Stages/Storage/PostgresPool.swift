import Synchronization

/// A fixed set of PostgreSQL connections, lent out one task at a time.
///
/// - Important: A connection is used by one task at a time; `withConnection` waits while all are lent.
public final class PostgresPool: Sendable {
    private struct State {
        var idle: [PostgresConnection]
        var waiters: [UnsafeContinuation<PostgresConnection, Never>] = []
    }

    public let connections: [PostgresConnection]
    private let state: Mutex<State>

    public init(url: String, size: Int, name: String = "postgres") {
        precondition(size >= 1, "a pool needs at least one connection")
        let connections = (1...size).map { PostgresConnection(url: url, name: "\(name)-\($0)") }
        self.connections = connections
        self.state = Mutex(State(idle: connections))
    }

    public func withConnection<T: Sendable>(
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = await self.checkOut()
        defer { self.checkIn(connection) }
        return try await body(connection)
    }

    public func close() async {
        for connection in self.connections { await connection.close() }
    }

    private func checkOut() async -> PostgresConnection {
        await withUnsafeContinuation { continuation in
            let connection = self.state.withLock { state -> PostgresConnection? in
                if let connection = state.idle.popLast() { return connection }
                state.waiters.append(continuation)
                return nil
            }
            if let connection { continuation.resume(returning: connection) }
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        let waiter = self.state.withLock { state -> UnsafeContinuation<PostgresConnection, Never>? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }
}
