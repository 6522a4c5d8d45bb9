import Logging
import Pipelines
import ServiceLifecycle
import Synchronization
import Testing

extension Integration {
    /// ``TrackedPipeline`` moves a pipeline's state as its service runs, drains, stops and fails.
    @Suite struct TrackedPipelineTests {
        /// Runs until a graceful shutdown, then returns (or throws, if told to).
        struct WaitingService: Service {
            var failOnShutdown = false

            func run() async throws {
                try? await gracefulShutdown()
                if self.failOnShutdown { throw HarnessError("broken on purpose") }
            }
        }

        @Test func startingRunningDrainingStopped() async throws {
            let readiness = try Readiness.forTests(pipelines: ["p"])
            let listening = LiveGate()
            let asked = LiveGate()
            let tracked = TrackedPipeline(WaitingService(), name: "p", readiness: readiness) {
                asked.open()
                await listening.wait()
            }
            #expect(readiness.state(of: "p") == .starting)
            let group = ServiceGroup(services: [tracked], logger: RunningOperations.logger)
            let task = Task { try await group.run() }
            await asked.wait()  // the tracker waits for its condition now
            #expect(readiness.state(of: "p") == .starting)  // running only once its condition holds
            listening.open()
            try await ReadinessTests.eventually("running") { readiness.state(of: "p") == .running }
            await group.triggerGracefulShutdown()
            try await task.value
            #expect(readiness.state(of: "p") == .stopped)
        }

        @Test func drainingWhileTheDrainRuns() async throws {
            let readiness = try Readiness.forTests(pipelines: [])
            let release = AsyncStream.makeStream(of: Void.self)
            struct SlowDrain: Service {
                let release: AsyncStream<Void>
                func run() async throws {
                    try? await gracefulShutdown()
                    for await _ in self.release {}
                }
            }
            let tracked = TrackedPipeline(SlowDrain(release: release.stream), name: "p", readiness: readiness)
            let group = ServiceGroup(services: [tracked], logger: RunningOperations.logger)
            let task = Task { try await group.run() }
            try await ReadinessTests.eventually("running") { readiness.state(of: "p") == .running }
            await group.triggerGracefulShutdown()
            try await ReadinessTests.eventually("draining") { readiness.state(of: "p") == .draining }
            release.continuation.finish()
            try await task.value
            #expect(readiness.state(of: "p") == .stopped)
        }

        @Test func aThrowingServiceIsFailedWithItsError() async throws {
            let readiness = try Readiness.forTests(pipelines: ["p"])
            let tracked = TrackedPipeline(WaitingService(failOnShutdown: true), name: "p", readiness: readiness)
            let group = ServiceGroup(services: [tracked], logger: RunningOperations.logger)
            let task = Task { try await group.run() }
            try await ReadinessTests.eventually("running") { readiness.state(of: "p") == .running }
            await group.triggerGracefulShutdown()
            _ = await task.result
            #expect(readiness.state(of: "p") == .failed("broken on purpose"))
            #expect(
                readiness.report.problems == [
                    "redis: not checked yet", "postgres: not checked yet",
                    "pipeline p: failed: broken on purpose",
                ]
            )
        }
    }
}
