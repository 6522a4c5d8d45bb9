/// Tells a pipeline's sources to stop reading: set once when a graceful drain begins.
///
/// - Important: Waiters are resumed exactly once, either by ``stop()`` or by their own cancellation.
@usableFromInline
package final class StopSignal: Sendable {
    private let stopped = SetOnce<Void>()

    package init() {}

    @usableFromInline package var isStopped: Bool { self.stopped.value != nil }

    package func stop() {
        self.stopped.set(())
    }

    /// Returns once ``stop()`` was called, or when the calling task is cancelled.
    package func wait() async {
        _ = try? await self.stopped.wait()
    }
}
