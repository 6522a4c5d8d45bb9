import CMSStub
import Flow
import Foundation
import Logging
import Pipelines
import ServiceLifecycle
import Stages
import Testing

/// Pipelines are isolated: one that cannot start is restarted with backoff and reported, while the others keep
/// running (the supervisor on the real servers).
extension Integration {
    @Suite struct PipelineIsolationTests {
        @Test func durableWriteKeepsStoringWhileLiveBroadcastCannotStart_andLiveRecoversOnceItCan() async throws {
            try await TestWorld.run { world in
                // This world's database has no CMS registry tables: live-broadcast's first load fails.
                var configuration = world.configuration()
                configuration.pipelines.liveBroadcast.enabled = true
                configuration.pipelines.liveBroadcast.stream = world.stream
                configuration.pipelines.liveBroadcast.port = 0
                let metrics = RecordingMetrics()
                var flow = PipelineConfiguration()
                flow.metricsFactory = metrics
                flow.logger = Logger(label: "isolation-test", factory: { _ in SwiftLogNoOpLogHandler() })
                let readiness = try Readiness.forTests(pipelines: configuration.enabledPipelines)
                let supervisor = PipelineSupervisor(
                    configuration: configuration,
                    flow: flow,
                    readiness: readiness,
                    restartBackoff: .exponential(initial: .milliseconds(200), maximum: .milliseconds(400))
                )
                let group = ServiceGroup(services: [supervisor], logger: flow.logger)
                let run = Task { try await group.run() }

                let live = [("pipeline", "live-broadcast")]
                try await world.eventually("live-broadcast failed and is restarted") {
                    metrics.values("flowrun_pipeline_restarts_total", live).count >= 2
                }
                guard case .failed(let reason) = readiness.state(of: "live-broadcast") else {
                    Issue.record(
                        "live-broadcast should be reported failed, is \(readiness.state(of: "live-broadcast"))"
                    )
                    return
                }
                #expect(reason.contains("restarting in"), "says it is restarted: \(reason)")
                #expect(reason.contains("devices"), "names what is missing: \(reason)")

                // Meanwhile durable-write stores and acknowledges everything.
                var options = TrackSimulator.Options()
                options.devices = 20
                var simulator = TrackSimulator(options: options)
                var appended = 0
                for _ in 0..<3 {
                    let tick = simulator.nextTick()
                    try await world.append(tick.map { ($0.deviceID, $0.payload) })
                    appended += tick.count
                }
                try await world.waitUntilStoredAndAcknowledged(rows: appended)
                #expect(readiness.state(of: "durable-write") == .running)
                #expect(supervisor.running.map(\.name).contains("durable-write"))

                // Once the registry exists, the next restart of live-broadcast succeeds.
                try await world.postgres.execute(CMSStub.registrySchema)
                try await world.eventually("live-broadcast runs after a restart") {
                    readiness.state(of: "live-broadcast") == .running
                }
                #expect(metrics.values("flowrun_pipeline_running", live).last == 1)

                await group.triggerGracefulShutdown()
                try await run.value
            }
        }
    }
}
