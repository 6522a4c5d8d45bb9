import Foundation

/// A serial executor that runs every job on one dedicated thread of its own.
///
/// A client actor that makes blocking C calls (hiredis, libpq) uses one as its executor, so those calls
/// block that thread only — never a thread of Swift's cooperative pool:
///
/// ```swift
/// actor Connection {
///     private let executor = ThreadExecutor(name: "redis")
///     nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
/// }
/// ```
///
/// - Important: The thread runs until ``shutdown()``; jobs enqueued after it are run on a fallback
///   detached thread so that a late job never hangs (its actor is shut down by then anyway).
public final class ThreadExecutor: SerialExecutor, @unchecked Sendable {
    // `jobs` and `stopped` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false
    private var thread: Thread?

    public init(name: String) {
        // The thread keeps its executor alive until `shutdown()` ends the loop.
        let thread = Thread { self.loop() }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.condition.lock()
        if self.stopped {
            self.condition.unlock()
            Thread.detachNewThread { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
            return
        }
        self.jobs.append(job)
        self.condition.signal()
        self.condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Ends the thread once the jobs already enqueued have run.
    public func shutdown() {
        self.condition.lock()
        self.stopped = true
        self.condition.signal()
        self.condition.unlock()
    }

    private func loop() {
        while true {
            self.condition.lock()
            while self.jobs.isEmpty && !self.stopped { self.condition.wait() }
            if self.jobs.isEmpty && self.stopped {
                self.condition.unlock()
                return
            }
            let batch = self.jobs
            self.jobs.removeAll(keepingCapacity: true)
            self.condition.unlock()
            for job in batch { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
        }
    }
}
