import Synchronization

/// Tells a pipeline's sources to stop reading: set once when a graceful drain begins.
///
/// - Important: Waiters are resumed exactly once, either by ``stop()`` or by their own cancellation.
package final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var nextID: UInt64 = 0
        var waiters: [UInt64: UnsafeContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    package var isStopped: Bool { self.state.withLock { $0.stopped } }

    package func stop() {
        let waiters = self.state.withLock { state -> [UnsafeContinuation<Void, Never>] in
            if state.stopped { return [] }
            state.stopped = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once ``stop()`` was called, or when the calling task is cancelled.
    package func wait() async {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.stopped || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
