extension StageContext {
    /// Runs `attempt` until it succeeds, as `retry` says: after each failure it may retry, it logs a warning
    /// (what failed, the error, the attempt, the wait), calls `onFailure`, and waits on the pipeline's clock
    /// (so a test drives the backoff with a manual clock); once an attempt succeeds after failures, it logs
    /// that it works again.
    ///
    /// ```swift
    /// let entries = try await context.retrying("read the stream", settings.reconnect) {
    ///     try await redis.readGroup(read)
    /// }
    /// ```
    ///
    /// - Throws: the error of an attempt that `retry` does not retry (or the last one, when it gives up);
    ///   `CancellationError` and ``OutputClosedError`` are never retried.
    @discardableResult
    public func retrying<Value>(
        _ what: String,
        _ retry: Retry,
        onFailure: (any Error) -> Void = { _ in },
        attempt: () async throws -> Value
    ) async throws -> Value {
        var failures = 0
        while true {
            do {
                let value = try await attempt()
                if failures > 0 {
                    self.logger.info("\(what): works again", metadata: ["after_failures": "\(failures)"])
                }
                return value
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as OutputClosedError {
                throw error
            } catch {
                failures += 1
                guard retry.allowsAnother(after: failures, error: error), !Task.isCancelled else { throw error }
                onFailure(error)
                let delay = retry.backoff.delay(afterAttempt: failures)
                self.logger.warning(
                    "cannot \(what); retrying",
                    metadata: ["error": "\(error)", "retry_in": "\(delay)", "attempt": "\(failures)"]
                )
                try await self.clock.sleep(for: delay)
            }
        }
    }
}
