/// The clock a pipeline's time-based stages use (batch windows, retry backoff, drain deadline).
///
/// It wraps any `Clock` whose duration is `Duration`, so a test can pass a manual clock and drive
/// time by hand. Instants are durations since the clock was wrapped.
public struct FlowClock: Sendable {
    private let nowSinceOrigin: @Sendable () -> Duration
    private let sleepUntil: @Sendable (Duration) async throws -> Void

    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        self.nowSinceOrigin = { origin.duration(to: clock.now) }
        self.sleepUntil = { deadline in try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil) }
    }

    /// The real, monotonic clock.
    public static var continuous: FlowClock { FlowClock(ContinuousClock()) }

    /// Now, as time since this clock was wrapped.
    public var now: Duration { self.nowSinceOrigin() }

    /// Sleeps until `deadline` (a value of ``now``); throws `CancellationError` when cancelled.
    public func sleep(until deadline: Duration) async throws {
        try await self.sleepUntil(deadline)
    }

    public func sleep(for duration: Duration) async throws {
        try await self.sleepUntil(self.now + duration)
    }
}
