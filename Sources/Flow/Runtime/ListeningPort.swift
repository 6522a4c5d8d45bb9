import Synchronization

/// The port a server listens on, for callers that wait until it does: `starting` → `listening(port)` →
/// `ended(error)`, or straight from `starting` to `ended`. Shared by flowrun's servers (the operations port,
/// the CMS stand-in).
///
/// - Important: ``wait()`` answers with the port while the server listens and with the error once it has
///   ended; a waiter that came while it was starting gets whichever came first. Built on ``SetOnce``, so
///   every wait is cancellable.
package final class ListeningPort<Failure: Error>: Sendable {
    private let first = SetOnce<Result<Int, Failure>>()
    private let end = Mutex<Failure?>(nil)

    package init() {}

    /// The port, while listening; nil before and after.
    package var current: Int? {
        guard self.end.withLock({ $0 == nil }), case .success(let port)? = self.first.value else { return nil }
        return port
    }

    /// The port once the server listens; throws its error when it ended (before or after listening), and
    /// `CancellationError` when the caller is cancelled first.
    package func wait() async throws -> Int {
        let first = try await self.first.wait()
        if let error = self.end.withLock({ $0 }) { throw error }
        return try first.get()
    }

    /// The server listens on `port`.
    package func listening(on port: Int) {
        self.first.set(.success(port))
    }

    /// The server stopped (or never started) with `error`.
    package func ended(_ error: Failure) {
        self.end.withLock { $0 = $0 ?? error }
        self.first.set(.failure(error))
    }
}
