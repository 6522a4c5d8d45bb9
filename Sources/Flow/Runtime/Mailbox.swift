import DequeModule
import Synchronization

/// An unbounded many-to-one queue of messages between tasks of one stage.
///
/// Only for messages whose number is bounded by construction (one per running item, one per timer).
///
/// - Important: One task takes; any number post.
final class Mailbox<Message: Sendable>: Sendable {
    private struct State {
        var messages: Deque<Message> = []
        var taker: UnsafeContinuation<[Message], Never>?
    }

    private let state = Mutex(State())

    func post(_ message: Message) {
        let taker = self.state.withLock { state -> UnsafeContinuation<[Message], Never>? in
            if let taker = state.taker {
                state.taker = nil
                return taker
            }
            state.messages.append(message)
            return nil
        }
        taker?.resume(returning: [message])
    }

    /// Everything posted so far, waiting until there is something; empty only when cancelled.
    func takeAll() async -> [Message] {
        let ready = self.state.withLock { state -> [Message] in
            defer { state.messages.removeAll() }
            return Array(state.messages)
        }
        if !ready.isEmpty { return ready }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<[Message], Never>) in
                let ready = self.state.withLock { state -> [Message]? in
                    if !state.messages.isEmpty {
                        defer { state.messages.removeAll() }
                        return Array(state.messages)
                    }
                    if Task.isCancelled { return [] }
                    state.taker = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let taker = self.state.withLock { state -> UnsafeContinuation<[Message], Never>? in
                defer { state.taker = nil }
                return state.taker
            }
            taker?.resume(returning: [])
        }
    }
}
