import Synchronization

/// A clock that moves only when a test says so, for deterministic tests of time-based stages.
///
/// ```swift
/// let clock = ManualClock()
/// // ... a Batch(max: 100, within: .seconds(1)) received two items:
/// try await clock.waitForSleepers(1)   // its window timer is asleep
/// clock.advance(by: .seconds(1))   // the window closes; the batch of two is sent
/// ```
public final class ManualClock: Clock, Sendable {
    public struct Instant: InstantProtocol, CustomStringConvertible {
        /// Time since the clock was made.
        public var offset: Duration

        public init(offset: Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: self.offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - self.offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "t+\(self.offset)" }
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [UInt64: (deadline: Instant, continuation: UnsafeContinuation<Bool, Never>)] = [:]
        var sleeperWaiters: [UInt64: (count: Int, continuation: UnsafeContinuation<Bool, Never>)] = [:]

        mutating func makeID() -> UInt64 {
            self.nextID &+= 1
            return self.nextID
        }

        mutating func takeSatisfiedWaiters() -> [UnsafeContinuation<Bool, Never>] {
            let count = self.sleepers.count
            let satisfied = self.sleeperWaiters.filter { $0.value.count <= count }
            for id in satisfied.keys { self.sleeperWaiters[id] = nil }
            return satisfied.values.map(\.continuation)
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { self.state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// How many tasks sleep on this clock right now.
    public var sleeperCount: Int { self.state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = self.state.withLock { $0.makeID() }
        let finished = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
                let (resumeWith, waiters) = self.state.withLock { state -> (Bool?, [UnsafeContinuation<Bool, Never>]) in
                    if deadline <= state.now { return (true, []) }
                    if Task.isCancelled { return (false, []) }
                    state.sleepers[id] = (deadline, continuation)
                    return (nil, state.takeSatisfiedWaiters())
                }
                for waiter in waiters { waiter.resume(returning: true) }
                if let resumeWith { continuation.resume(returning: resumeWith) }
            }
        } onCancel: {
            self.state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(returning: false)
        }
        if !finished { throw CancellationError() }
    }

    /// Moves time forward, waking every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due = self.state.withLock { state -> [UnsafeContinuation<Bool, Never>] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let dueIDs = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return dueIDs.compactMap { state.sleepers.removeValue(forKey: $0)?.continuation }
        }
        for continuation in due { continuation.resume(returning: true) }
    }

    /// Returns once at least `count` tasks sleep on this clock.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    public func waitForSleepers(_ count: Int = 1) async throws {
        let id = self.state.withLock { $0.makeID() }
        let satisfied = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
                let ready = self.state.withLock { state -> Bool? in
                    if state.sleepers.count >= count { return true }
                    if Task.isCancelled { return false }
                    state.sleeperWaiters[id] = (count, continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            self.state.withLock { $0.sleeperWaiters.removeValue(forKey: id) }?.continuation.resume(returning: false)
        }
        if !satisfied { throw CancellationError() }
    }
}
