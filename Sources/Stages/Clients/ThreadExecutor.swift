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
/// - Important: The thread starts with the first job, so a client that is made and never used (a pipeline
///   built by `flowrun check` to list its stages) costs no thread. It runs until ``shutdown()`` and the jobs
///   already enqueued have run. A job enqueued after that starts a thread again, which ends once no job is
///   left, so that a late job never hangs. Whatever the timing, at most one thread runs jobs at a time: the
///   jobs of the actor using this executor never run at once. (A late job used to get a detached thread of
///   its own, so two late jobs ran one actor's code at once: a libpq connection used from two threads
///   corrupts the heap. That is the likely cause, not proven, of a crash in `realloc` with libpq's
///   "unexpected asyncStatus" message at hand, in a test run on 2026-12-06.)
public final class ThreadExecutor: SerialExecutor, @unchecked Sendable {
    // `jobs`, `stopped`, `started` and `running` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false
    private var started = false
    /// A thread runs ``loop()``: set when one is started, cleared by it as it ends.
    private var running = false
    private let name: String

    public init(name: String) {
        self.name = name
    }

    /// Whether the thread has been started (by a first job).
    public var isStarted: Bool {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.started
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.condition.lock()
        self.jobs.append(job)
        let start = !self.running
        self.running = true
        self.started = true
        self.condition.signal()
        self.condition.unlock()
        if start {
            // The thread keeps its executor alive until `shutdown()` ends the loop.
            let thread = Thread { self.loop() }
            thread.name = self.name
            thread.start()
        }
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
                self.running = false
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
