import Foundation
import Stages
import Testing

extension Integration {
    /// `flowrun tap` against the real `flowrun` running durable-write on the real Redis and PostgreSQL.
    @Suite struct TapCommandTests {
        @Test func tapOfDecode_printsThePositionsAppended_asJSONLines() async throws {
            try await TestWorld.run { world in
                let flowrun = try FlowrunProcess(configuration: try world.writeConfigurationFile())
                let url = "http://127.0.0.1:\(try await flowrun.operationsPort())"
                try await world.eventually("flowrun is ready") { flowrun.output.contains("[Pipelines] ready") }

                let tap = try FlowrunProcess(arguments: [
                    "tap", "durable-write", "decode", "--url", url, "--limit", "20", "--duration", "60",
                ])
                try await world.eventually("the tap is subscribed") {
                    tap.output.contains("flowrun tap: tapping durable-write › decode (PositionEntry items)")
                }
                var options = TrackSimulator.Options()
                options.devices = 4
                options.seed = 71
                var simulator = TrackSimulator(options: options)
                var entries: [TrackSimulator.Entry] = []
                while entries.count < 20 { entries += simulator.nextTick() }
                entries = Array(entries.prefix(20))
                let ids = try await world.append(entries.map { ($0.deviceID, $0.payload) })
                #expect(await tap.waitForExit() == 0, "output:\n\(tap.output)")

                let lines = tap.output.split(separator: "\n").filter { $0.hasPrefix("{") }
                let printed = try lines.map { line in
                    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                }
                #expect(printed.map { $0["entry_id"] as? String } == ids, "the entries appended, in order")
                for (object, entry) in zip(printed, entries) {
                    let position = try PositionDecoder.decode(entry.streamEntry()).get()
                    #expect(object["device_id"] as? String == position.deviceID)
                    #expect(
                        object["timestamp"] as? String == Timestamp.format(position.timestamp, precision: .microseconds)
                    )
                    #expect(object["latitude"] as? Double == position.latitude)
                    #expect(object["longitude"] as? Double == position.longitude)
                }
                #expect(tap.output.contains("flowrun tap: ended, the limit was reached: 20 items, 0 dropped"))

                // Piped into a reader that leaves after one line (`| head -n 1`): the tap stops quietly, exit 0.
                let piped = FileManager.default.temporaryDirectory.appendingPathComponent("tap-\(UUID()).log").path
                let pipeline = try ChildProcess(
                    "/bin/bash",
                    [
                        "-c",
                        "'\(FlowrunProcess.binary.path)' tap durable-write decode --url \(url) --duration 60"
                            + " | head -n 1; echo \"tap exit status: ${PIPESTATUS[0]}\"",
                    ],
                    outputFile: piped
                )
                try await world.eventually("the piped tap is subscribed") {
                    let output = (try? String(contentsOfFile: piped, encoding: .utf8)) ?? ""
                    return output.contains("flowrun tap: tapping durable-write › decode")
                }
                // Items keep coming until the tap has written after `head` left (one write may carry several).
                let feeder = Task {
                    for round in 0..<100 where !Task.isCancelled {
                        let entry = entries[round % entries.count]
                        _ = try await world.append([(entry.deviceID, entry.payload)])
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                #expect(await pipeline.exitStatus() == 0)
                feeder.cancel()
                let pipedOutput = (try? String(contentsOfFile: piped, encoding: .utf8)) ?? ""
                #expect(pipedOutput.contains("tap exit status: 0"), "output:\n\(pipedOutput)")
                #expect(!pipedOutput.contains("crashed"), "output:\n\(pipedOutput)")
                #expect(pipedOutput.split(separator: "\n").filter { $0.hasPrefix("{") }.count == 1)

                let unknown = try FlowrunProcess(arguments: ["tap", "durable-write", "nope", "--url", url])
                #expect(await unknown.waitForExit() != 0)
                #expect(unknown.output.contains("pipeline durable-write has no stage 'nope'"), "\(unknown.output)")
                #expect(unknown.output.contains("durable-write: stream-source, decode,"), "lists the stages")

                flowrun.kill(SIGTERM)
                #expect(await flowrun.waitForExit() == 0, "output:\n\(flowrun.output)")

                let unreachable = try FlowrunProcess(arguments: ["tap", "durable-write", "decode", "--url", url])
                #expect(await unreachable.waitForExit() != 0)
                #expect(unreachable.output.contains("cannot reach flowrun at \(url)"), "\(unreachable.output)")
                #expect(unreachable.output.contains("http.port"), "says where the port is configured")
            }
        }
    }
}
