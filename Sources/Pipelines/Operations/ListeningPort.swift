import Synchronization

/// The port a server listens on, for callers that wait until it does (the state of ``OperationsServer/port()``).
///
/// `starting` → `listening(port)` → `ended`; a waiter is answered once, by the first of these that follows
/// `starting`.
final class ListeningPort: Sendable {
    private enum State {
        case starting(waiters: [CheckedContinuation<Int, any Error>])
        case listening(Int)
        case ended(OperationsServerError)
    }

    private let state = Mutex(State.starting(waiters: []))

    /// The port, once listening; nil before and after.
    var current: Int? {
        self.state.withLock { state in
            if case .listening(let port) = state { return port }
            return nil
        }
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let answer = self.state.withLock { state -> Result<Int, any Error>? in
                switch state {
                case .starting(var waiters):
                    waiters.append(continuation)
                    state = .starting(waiters: waiters)
                    return nil
                case .listening(let port):
                    return .success(port)
                case .ended(let error):
                    return .failure(error)
                }
            }
            if let answer { continuation.resume(with: answer) }
        }
    }

    func listening(on port: Int) {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard case .starting(let waiters) = state else { return [] }
            state = .listening(port)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func ended(_ error: OperationsServerError) {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            defer { state = .ended(error) }
            guard case .starting(let waiters) = state else { return [] }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
