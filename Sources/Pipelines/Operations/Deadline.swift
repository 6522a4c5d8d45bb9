import Flow

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
    let gate = SetOnce<DeadlineOutcome<Value>>()
    let timer = Task {
        do {
            try await Task.sleep(for: timeout)
        } catch {
            return  // the operation ended first
        }
        gate.set(.timedOut)
    }
    let work = Task {
        let result: Result<Value, any Error>
        do {
            result = .success(try await operation())
        } catch {
            result = .failure(error)
        }
        timer.cancel()
        gate.set(.finished(result))
    }
    // Cancelled, the caller stops waiting at once: the operation is abandoned as on a timeout.
    let outcome = (try? await gate.wait()) ?? .timedOut
    timer.cancel()
    if case .timedOut = outcome { work.cancel() }
    return outcome
}
