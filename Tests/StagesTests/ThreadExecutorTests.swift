import Stages
import Synchronization
import Testing

/// The executor of the clients' actors (libpq, hiredis): one thread runs their jobs, one at a time, before
/// and after ``ThreadExecutor/shutdown()``.
@Suite(.timeLimit(.minutes(1)))
struct ThreadExecutorTests {
    /// How many jobs are inside ``Worker/work()`` now, and the most at once.
    final class Overlaps: Sendable {
        let inside = Mutex(0)
        let most = Mutex(0)
    }

    actor Worker {
        let executor = ThreadExecutor(name: "flowrun-test-worker")
        let overlaps: Overlaps
        nonisolated var unownedExecutor: UnownedSerialExecutor { self.executor.asUnownedSerialExecutor() }

        init(_ overlaps: Overlaps) { self.overlaps = overlaps }

        /// Holds the actor for a moment of work, counting who else is inside meanwhile.
        func work() -> Int {
            let now = self.overlaps.inside.withLock {
                $0 += 1
                return $0
            }
            self.overlaps.most.withLock { $0 = max($0, now) }
            var sum = 0
            for i in 0..<200_000 { sum &+= i ^ now }
            self.overlaps.inside.withLock { $0 -= 1 }
            return sum
        }

        func shutDown() { self.executor.shutdown() }
    }

    @Test func jobsAfterShutdown_stillRun_oneAtATime() async {
        let overlaps = Overlaps()
        let worker = Worker(overlaps)
        _ = await worker.work()
        await worker.shutDown()
        let done = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<32 { group.addTask { await worker.work() } }
            return await group.reduce(0) { count, _ in count + 1 }
        }
        #expect(done == 32, "every late job ran")
        #expect(overlaps.most.withLock { $0 } == 1, "never two jobs of the actor at once")
    }
}
