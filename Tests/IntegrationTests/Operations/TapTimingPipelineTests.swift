import Flow
import Foundation
import Logging
import Pipelines
import ServiceLifecycle
import Stages
import Testing

extension Integration {
    /// `/tap` of live-broadcast's second pipeline, `live-broadcast-timing` (CONTRACT §6.5), as the supervisor
    /// lists it for `flowrun tap`: its stages tapped like any pipeline's, on the real Redis and PostgreSQL.
    @Suite struct TapTimingPipelineTests {
        @Test func theTimingPipelineOfLiveBroadcast_isListedAndTapped_likeTheOthers() async throws {
            try await TestWorld.run { world in
                _ = try await EventRegistryFixture.create(on: world.postgres)
                try await RunningCMSStub.run { cms in
                    let configuration = world.liveConfiguration(cms: cms.url)
                    var flow = PipelineConfiguration()
                    flow.logger = Logger(label: "tap-timing-test", factory: { _ in SwiftLogNoOpLogHandler() })
                    let readiness = try Readiness.forTests(pipelines: configuration.enabledPipelines)
                    let supervisor = PipelineSupervisor(configuration: configuration, flow: flow, readiness: readiness)
                    let group = ServiceGroup(services: [supervisor], logger: flow.logger)
                    let run = Task { try await group.run() }
                    do {
                        try await world.eventually("live-broadcast runs") {
                            readiness.state(of: "live-broadcast") == .running
                        }
                        let taps = supervisor.taps
                        #expect(taps.map(\.pipeline) == ["live-broadcast", "live-broadcast-timing"])

                        try await RunningOperations.run(readiness: readiness, checkReadiness: false, taps: taps) {
                            running in
                            let listing = try await running.get("/tap?pipeline=live-broadcast-timing&stage=nope")
                            #expect(listing.status == 404)
                            #expect(
                                listing.body.contains(
                                    #""live-broadcast-timing":["live-stream-source","decode-crossing","#
                                        + #""decode-crossing/dead-letter/report-malformed","crossing-fan-out"]"#
                                ),
                                "\(listing.body)"
                            )

                            async let answer = running.get(
                                "/tap?pipeline=live-broadcast-timing&stage=decode-crossing&limit=1&duration=60"
                            )
                            let decodeCrossing = try #require(taps.last?["decode-crossing"])
                            try await world.eventually("the tap is subscribed") { decodeCrossing.isTapped }
                            let change = CrossingChange(
                                .upsert,
                                CrossingRecord(
                                    event: UUID().uuidString,
                                    entry: UUID().uuidString,
                                    checkpoint: UUID().uuidString,
                                    seq: 1,
                                    device: "dev-1",
                                    timestamp: 1_777_739_812_123_000
                                )
                            )
                            try await world.append(change)
                            let tapped = try await answer
                            let lines = tapped.body.split(separator: "\n").map(String.init)
                            #expect(
                                lines == [
                                    #"{"tap":{"pipeline":"live-broadcast-timing","stage":"decode-crossing","#
                                        + #""output":"CrossingChange","limit":1,"duration":60}}"#,
                                    #"{"item":"# + change.tapJSON + "}",
                                    #"{"end":"limit","items":1,"dropped":0}"#,
                                ]
                            )
                        }
                    } catch {
                        await group.triggerGracefulShutdown()
                        _ = try? await run.value
                        throw error
                    }
                    await group.triggerGracefulShutdown()
                    try await run.value
                }
            }
        }
    }
}
