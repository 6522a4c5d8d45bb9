import Synchronization

/// A value set once, that any number of tasks wait for: a pipeline's stop signal, a server's listening
/// port, a test pipeline's outcome.
///
/// ```swift
/// let port = SetOnce<Result<Int, any Error>>()
/// // the server, once bound:            port.set(.success(8080))
/// // a caller:                          let bound = try await port.wait().get()
/// ```
///
/// - Important: The first ``set(_:)`` wins; later ones change nothing and return `false`. Every waiter is
///   resumed exactly once: with the value, or with `CancellationError` when its task is cancelled first
///   (a cancelled waiter leaves no trace behind it).
package final class SetOnce<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var nextID: UInt64 = 0
        var waiters: [UInt64: UnsafeContinuation<Value?, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    /// The value, once set.
    package var value: Value? { self.state.withLock { $0.value } }

    /// Sets the value and resumes every waiter; returns `false` (and changes nothing) when it was set already.
    @discardableResult
    package func set(_ value: Value) -> Bool {
        let waiters = self.state.withLock { state -> [UnsafeContinuation<Value?, Never>]? in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(returning: value) }
        return true
    }

    /// The value, waiting until it is set.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled before the value is set.
    package func wait() async throws -> Value {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        let value = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Value?, Never>) in
                let now = self.state.withLock { state -> Value?? in
                    if let value = state.value { return .some(value) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
        guard let value else { throw CancellationError() }
        return value
    }
}
