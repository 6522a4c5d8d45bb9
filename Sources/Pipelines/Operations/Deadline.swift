import Synchronization

/// How an operation run with ``withDeadline(_:_:)`` ended.
enum DeadlineOutcome<Value: Sendable>: Sendable {
    /// The operation returned or threw in time.
    case finished(Result<Value, any Error>)
    /// The deadline passed first (or the caller was cancelled); the operation was abandoned.
    case timedOut
}

/// Runs `operation` in a task of its own and returns how it ended, or `.timedOut` once `timeout` has passed,
/// whichever comes first.
///
/// - Important: On timeout the operation is cancelled and *abandoned*, not awaited: it may still be running
///   when this returns, because a call blocked in C (hiredis, libpq) does not see cancellation. That is the
///   point — a hung server cannot hold the caller for longer than `timeout` — so the caller must make sure an
///   abandoned operation does no harm (see ``ServerCheck``). A task group would not do: it waits for every
///   child, hung or not.
func withDeadline<Value: Sendable>(
    _ timeout: Duration,
    _ operation: @escaping @Sendable () async throws -> Value
) async -> DeadlineOutcome<Value> {
    let gate = OutcomeGate<Value>()
    let timer = Task {
        do {
            try await Task.sleep(for: timeout)
        } catch {
            return  // the operation ended first
        }
        gate.finish(.timedOut)
    }
    let work = Task {
        let result: Result<Value, any Error>
        do {
            result = .success(try await operation())
        } catch {
            result = .failure(error)
        }
        timer.cancel()
        gate.finish(.finished(result))
    }
    let outcome = await withTaskCancellationHandler {
        await gate.wait()
    } onCancel: {
        gate.finish(.timedOut)
    }
    timer.cancel()
    if case .timedOut = outcome { work.cancel() }
    return outcome
}

/// The first outcome wins; one waiter gets it, whether it comes before or after the waiter.
private final class OutcomeGate<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<DeadlineOutcome<Value>, Never>)
        case finished(DeadlineOutcome<Value>)
        case delivered
    }

    private let state = Mutex(State.empty)

    func finish(_ outcome: DeadlineOutcome<Value>) {
        let waiter = self.state.withLock { state -> CheckedContinuation<DeadlineOutcome<Value>, Never>? in
            switch state {
            case .empty:
                state = .finished(outcome)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .finished, .delivered:
                return nil
            }
        }
        waiter?.resume(returning: outcome)
    }

    func wait() async -> DeadlineOutcome<Value> {
        await withCheckedContinuation { continuation in
            let ready = self.state.withLock { state -> DeadlineOutcome<Value>? in
                switch state {
                case .empty:
                    state = .waiting(continuation)
                    return nil
                case .finished(let outcome):
                    state = .delivered
                    return outcome
                case .waiting, .delivered:
                    preconditionFailure("an outcome gate has one waiter")
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
