import Synchronization

/// A fixed set of PostgreSQL connections, lent out one task at a time.
///
/// - Important: A connection is used by one task at a time; `withConnection` waits while all are lent, and a
///   task cancelled while it waits stops waiting (`CancellationError`) without taking a connection.
public final class PostgresPool: Sendable {
    private struct State {
        var idle: [PostgresConnection]
        var nextID: UInt64 = 0
        /// Tasks waiting for a connection, first come first served.
        var waiters: [(id: UInt64, continuation: UnsafeContinuation<PostgresConnection?, Never>)] = []
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
        let connection = try await self.checkOut()
        defer { self.checkIn(connection) }
        return try await body(connection)
    }

    public func close() async {
        for connection in self.connections { await connection.close() }
    }

    private func checkOut() async throws -> PostgresConnection {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        let connection = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<PostgresConnection?, Never>) in
                let now = self.state.withLock { state -> PostgresConnection?? in
                    if let connection = state.idle.popLast() { return .some(connection) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0).continuation }
            }
            waiter?.resume(returning: nil)
        }
        guard let connection else { throw CancellationError() }
        return connection
    }

    private func checkIn(_ connection: PostgresConnection) {
        let waiter = self.state.withLock { state -> UnsafeContinuation<PostgresConnection?, Never>? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.idle.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }
}
