import Stages
import Synchronization

/// A wall clock that jumps forward when the appender sleeps on it: a paced run finishes at once, and what
/// the clock said at each append is exact.
final class FakeWallClock: WallClock {
    private let time: Mutex<Int64>

    init(_ start: Int64) { self.time = Mutex(start) }

    func now() -> Int64 { self.time.withLock { $0 } }

    func sleep(until time: Int64) async throws {
        self.time.withLock { $0 = max($0, time) }
    }
}
