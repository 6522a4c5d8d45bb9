/// Runs `tasks` side by side, each as a child task, until the first of them ends; then cancels the others
/// and returns once every one has ended.
///
/// For a service made of parts that each run until stopped (a pipeline, the refresh of what it looks up, a
/// server): whichever ends first, the drained pipeline or a part that failed, ends the service.
///
/// ```swift
/// try await runUntilFirstEnds(
///     { await registry.run() },  // refreshes until cancelled
///     { try await pipeline.run() }  // returns once drained
/// )
/// ```
///
/// - Important: The other tasks are only *asked* to stop (cancelled): each must notice cancellation and
///   return or throw; this waits for all of them, so it never leaves one running. Errors propagate so:
///   - when the first task to end throws, its error is rethrown, whatever the others then do;
///   - when it returns, the first error another task throws as it ends is rethrown, except
///     `CancellationError`: that is the answer to the cancellation asked for, not a failure;
///   - otherwise it returns. Cancelling the calling task cancels every task.
public func runUntilFirstEnds(_ tasks: (@Sendable () async throws -> Void)...) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for task in tasks { group.addTask(operation: task) }
        // Leaving the body, by returning or throwing, cancels whatever still runs; the group then waits for it.
        defer { group.cancelAll() }
        try await group.next()
        group.cancelAll()
        while let result = await group.nextResult() {
            if case .failure(let error) = result, !(error is CancellationError) { throw error }
        }
    }
}
