import Foundation
import LiveTestClient
import Stages
import Testing

/// The README's "Signals and logs", on the real binary: a second signal stops at once (exit 130), SIGTERM
/// closes WebSocket clients with 1001, SIGHUP restarts a pipeline whose settings changed.
extension Integration {
    @Suite struct SignalTests {
        /// While the drain waits on a stopped PostgreSQL (its deadline far away), a second SIGTERM ends the
        /// process at once with 130, naming what it abandoned; nothing it acknowledged is unstored.
        @Test func aSecondSignalStopsAtOnce_exit130_andNothingUnstoredIsAcknowledged() async throws {
            try await TestWorld.run { world in
                let flowrun = try FlowrunProcess(configuration: try world.writeConfigurationFile(drainTimeout: "10m"))
                try await world.withPostgresStoppedAndEntriesInFlight(seed: 71) {
                    flowrun.kill(SIGTERM)
                    // The second signal is sent once the first is known to have started the drain.
                    try await world.eventually("the first signal starts the drain") {
                        flowrun.output.contains("send the signal again to stop at once")
                    }
                    flowrun.kill(SIGTERM)
                    let status = await flowrun.waitForExit()
                    #expect(status == 130, "output:\n\(flowrun.output)")
                }
                #expect(flowrun.output.contains("second signal: stopping at once"), "output:\n\(flowrun.output)")
                #expect(try await world.pendingCount() > 0, "what was read and not stored stays pending")
                let unstored = try await world.acknowledgedButUnstored()
                #expect(unstored.isEmpty, "acknowledged, not stored: \(unstored.prefix(5).map(\.id))")
            }
        }

        /// SIGTERM closes every WebSocket client, idle or subscribed, with 1001 (going away), then exits 0.
        @Test func sigtermClosesEveryWebSocketClientWith1001_andExits0() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let event = try await registry.addEvent(name: "signals")
                try await RunningCMSStub.run { cms in
                    let config = try world.writeConfigurationFile(durableWrite: false, liveCMS: cms.url)
                    let flowrun = try FlowrunProcess(configuration: config)
                    do {
                        let port = try await flowrun.livePort()
                        let cookie = "directus_session_token=valid-test"
                        let idle = try await LiveTestClient.connect(host: "127.0.0.1", port: port, cookie: cookie)
                        let subscribed = try await LiveTestClient.connect(
                            host: "127.0.0.1",
                            port: port,
                            cookie: cookie
                        )
                        let clients = [try #require(idle.client), try #require(subscribed.client)]
                        try await clients[1].send(#"{"type":"subscribe","event_id":"\#(event)"}"#)
                        flowrun.kill(SIGTERM)
                        for client in clients {
                            let close = await client.waitUntilClosed()
                            #expect(close?.code == 1001, "close frame \(String(describing: close))")
                        }
                        #expect(await flowrun.waitForExit() == 0, "output:\n\(flowrun.output)")
                    } catch {
                        flowrun.kill(SIGKILL)
                        throw error
                    }
                }
            }
        }

        /// A setting changed in the file restarts its pipeline with it: durable-write moved to another stream
        /// stores what is appended there, and what waits on the first stream is no longer read.
        @Test func sighupRestartsAPipelineWhoseSettingChanged_withTheNewSetting() async throws {
            try await TestWorld.run { world in
                let file = try world.writeConfigurationFile()
                let flowrun = try FlowrunProcess(configuration: file)
                var options = TrackSimulator.Options()
                options.devices = 10
                var simulator = TrackSimulator(options: options)
                let firstTick = simulator.nextTick()
                try await world.append(firstTick.map { ($0.deviceID, $0.payload) })
                try await world.waitUntilStoredAndAcknowledged(rows: firstTick.count)

                let moved = world.stream + ":moved"
                try world.writeConfigurationFile(stream: moved)
                flowrun.kill(SIGHUP)
                try await world.eventually("durable-write restarted on the moved stream") {
                    flowrun.output.contains("reason=the configuration changed")
                        && flowrun.output.contains("stream=\(moved)")
                }
                let secondTick = simulator.nextTick()
                for entry in secondTick {
                    try await world.redis.send([
                        "XADD", RedisArgument(moved), "*", "device_id", RedisArgument(entry.deviceID),
                        "payload", RedisArgument(entry.payload),
                    ])
                }
                try await world.eventually("what is appended to the moved stream is stored") {
                    try await world.rowCount() == firstTick.count + secondTick.count
                }
                flowrun.kill(SIGTERM)
                #expect(await flowrun.waitForExit() == 0, "output:\n\(flowrun.output)")
                #expect(flowrun.output.contains("pipeline draining"), "the old pipeline drained first")
            }
        }
    }
}
