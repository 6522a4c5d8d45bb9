import Foundation

/// The wall clock ``StreamAppender`` paces by: device time must never run ahead of it.
public protocol WallClock: Sendable {
    /// Now, µs since the epoch.
    func now() -> Int64
    /// Returns once ``now()`` has reached `time` (µs since the epoch), or throws when cancelled.
    func sleep(until time: Int64) async throws
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}

    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }

    public func sleep(until time: Int64) async throws {
        // Real time may be stepped while asleep: check again until it has been reached.
        while case let left = time - self.now(), left > 0 {
            try await Task.sleep(for: .microseconds(left))
        }
    }
}
