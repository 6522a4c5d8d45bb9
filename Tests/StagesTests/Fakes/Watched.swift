import Synchronization

/// State that the stages under test change and a test waits on: every fake keeps what it was asked in one
/// of these, and a test awaits a condition on it (``wait(until:)``) instead of sleeping.
///
/// - Important: Every waiter is resumed exactly once: when its condition holds after an ``update(_:)`` (or
///   already holds when it starts waiting), or with `CancellationError` when its task is cancelled first (a
///   suite's time limit), so a condition that never comes fails the test instead of hanging it.
final class Watched<State: Sendable>: Sendable {
    private struct Waiter {
        var condition: @Sendable (State) -> Bool
        var continuation: UnsafeContinuation<Bool, Never>
    }

    private struct Storage {
        var state: State
        var nextID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
    }

    private let storage: Mutex<Storage>

    init(_ state: State) {
        self.storage = Mutex(Storage(state: state))
    }

    /// Reads the state under the lock.
    func read<Result: Sendable>(_ body: (State) -> Result) -> Result {
        self.storage.withLock { body($0.state) }
    }

    /// Changes the state under the lock, then resumes the waiters whose condition now holds.
    @discardableResult
    func update<Result: Sendable>(_ body: (inout State) -> Result) -> Result {
        let (result, satisfied) = self.storage.withLock { storage in
            let result = body(&storage.state)
            let state = storage.state
            let ready = storage.waiters.filter { $0.value.condition(state) }
            for id in ready.keys { storage.waiters[id] = nil }
            return (result, ready.values.map(\.continuation))
        }
        for continuation in satisfied { continuation.resume(returning: true) }
        return result
    }

    /// Returns once `condition` holds.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func wait(until condition: @escaping @Sendable (State) -> Bool) async throws {
        let id = self.storage.withLock { storage in
            storage.nextID &+= 1
            return storage.nextID
        }
        let satisfied = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
                let now = self.storage.withLock { storage -> Bool? in
                    if condition(storage.state) { return true }
                    if Task.isCancelled { return false }
                    storage.waiters[id] = Waiter(condition: condition, continuation: continuation)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            self.storage.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: false)
        }
        if !satisfied { throw CancellationError() }
    }
}

/// Holds tasks until opened; once open, stays open. A waiter whose task is cancelled is let go.
final class Gate: Sendable {
    private let opened = Watched(false)

    func open() {
        self.opened.update { $0 = true }
    }

    func wait() async throws {
        try await self.opened.wait { $0 }
    }
}
