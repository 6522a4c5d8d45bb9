import Foundation
import Stages

/// One `flowrun` child process, watched through /proc and its consumer groups in Redis.
///
/// - Important: Use it from one task, and ``stop()`` it on every path.
public final class FlowrunProcess {
    private let process = Process()
    /// When it was started.
    public let started: ContinuousClock.Instant

    public var pid: Int32 { self.process.processIdentifier }

    public init(binary: String, arguments: [String]) throws {
        self.process.executableURL = URL(fileURLWithPath: binary)
        self.process.arguments = arguments
        do {
            try self.process.run()
        } catch {
            throw BenchmarkFailure("cannot start \(binary): \(error)")
        }
        self.started = .now
    }

    /// What draining a stream took: from process start until the group had read and acknowledged every
    /// entry.
    public struct Drain: Sendable {
        /// Process start → every entry delivered to the group and acknowledged, seconds.
        public var seconds: Double
        /// The first moment `firstProgress` held → the same end, seconds (nil without `firstProgress`).
        public var steadySeconds: Double?
        /// flowrun's peak resident set (VmHWM), KiB.
        public var peakResidentKiB: Int
        /// flowrun's user + system CPU time, seconds.
        public var cpuSeconds: Double
    }

    /// Polls every 20 ms, without loading PostgreSQL, until `group` has read every entry of `stream` (lag 0)
    /// and acknowledged it (none pending), after `firstProgress` (polled until it first holds, if given).
    /// flowrun keeps running: ``stop()`` it.
    public func untilDrained(
        redis: RedisConnection,
        stream: String,
        group: String,
        firstProgress: (() async throws -> Bool)? = nil,
        timeout: Duration = .seconds(600)
    ) async throws -> Drain {
        var progressed: ContinuousClock.Instant? = firstProgress == nil ? self.started : nil
        var peakKiB = 0
        var cpu = 0.0
        while true {
            try self.checkRunning(while: "draining \(stream) in group \(group)")
            if progressed == nil, let firstProgress, try await firstProgress() { progressed = .now }
            peakKiB = max(peakKiB, ProcessStatus.peakResidentKiB(of: self.pid) ?? 0)
            cpu = ProcessStatus.cpuSeconds(of: self.pid) ?? cpu
            if progressed != nil, let info = try await ConsumerGroupInfo.read(redis, stream: stream)[group],
                info.pending == 0, info.lag == 0
            {
                break
            }
            if self.started.duration(to: .now) > timeout {
                throw BenchmarkFailure("flowrun did not drain \(stream) in group \(group) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let done = ContinuousClock.now
        return Drain(
            seconds: self.started.duration(to: done) / .seconds(1),
            steadySeconds: firstProgress == nil ? nil : progressed.map { $0.duration(to: done) / .seconds(1) },
            peakResidentKiB: peakKiB,
            cpuSeconds: cpu
        )
    }

    /// Throws when flowrun is no longer running.
    public func checkRunning(while doing: String) throws(BenchmarkFailure) {
        guard self.process.isRunning else {
            let status = self.process.terminationStatus
            let how = self.process.terminationReason == .uncaughtSignal ? "was killed by signal" : "exited with status"
            throw BenchmarkFailure("flowrun \(how) \(status) while \(doing); its log is above")
        }
    }

    /// Waits, polling, until it exits by itself; throws unless it exits with status 0.
    public func waitForExit(doing: String) async throws {
        // Polled: Foundation's waitUntilExit spins a core meanwhile.
        while self.process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        guard self.process.terminationStatus == 0 else {
            throw BenchmarkFailure("flowrun exited with status \(self.process.terminationStatus) while \(doing)")
        }
    }

    /// SIGTERM (flowrun drains and exits), SIGKILL after 10 s; waits until it has exited.
    public func stop() async {
        guard self.process.isRunning else { return }
        self.process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while self.process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if self.process.isRunning { kill(self.pid, SIGKILL) }
        while self.process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
