import Flow
import FlowTesting
import Foundation
import Pipelines
import Testing

extension Integration {
    /// `GET /tap` over real HTTP, on a Flow pipeline the test feeds: the items leaving a stage as JSON lines,
    /// the end it says, and the errors that tell the client what to tap instead.
    @Suite struct TapEndpointTests {
        /// `readings`: source → double → print (a sink), fed by the test.
        final class FedPipeline: Sendable {
            let pipeline: Pipeline<Never>
            let feed: AsyncStream<Int>.Continuation
            private let task: Task<Void, any Error>

            init() {
                let (numbers, feed) = AsyncStream<Int>.makeStream()
                let pipeline = Pipeline("readings", configuration: PipelineTest.configuration()) {
                    Source(numbers)
                    Map { (n: Int) in n * 2 }.named("double")
                    Sink { (_: Int) in }.named("print")
                }
                self.feed = feed
                self.pipeline = pipeline
                self.task = Task { try await pipeline.run() }
            }

            /// Waits until somebody taps `stage`.
            func waitUntilTapped(_ stage: String) async throws {
                let tap = try #require(self.pipeline.taps[stage])
                while !tap.isTapped { try await Task.sleep(for: .milliseconds(5)) }
            }

            /// Ends the source; the pipeline stops once it is through.
            func stop() async throws {
                self.feed.finish()
                try await self.task.value
            }
        }

        static func lines(_ answer: HTTPAnswer) -> [String] {
            answer.body.split(separator: "\n").map(String.init)
        }

        @Test func tap_streamsTheItemsLeavingTheStage_asJSONLines_untilItsLimit() async throws {
            let fed = FedPipeline()
            try await RunningOperations.run(readiness: try .forTests(pipelines: []), taps: [fed.pipeline.taps]) {
                running in
                async let answer = running.get("/tap?pipeline=readings&stage=double&limit=3&duration=60")
                try await fed.waitUntilTapped("double")
                for n in 1...5 { fed.feed.yield(n) }
                let tapped = try await answer
                #expect(tapped.status == 200)
                #expect(tapped.contentType == "application/x-ndjson")
                #expect(
                    Self.lines(tapped) == [
                        #"{"tap":{"pipeline":"readings","stage":"double","output":"Int","limit":3,"duration":60}}"#,
                        #"{"item":2}"#, #"{"item":4}"#, #"{"item":6}"#,
                        #"{"end":"limit","items":3,"dropped":0}"#,
                    ]
                )
            }
            try await fed.stop()
        }

        @Test func tap_endsAfterItsDuration_orWhenThePipelineStops() async throws {
            let fed = FedPipeline()
            try await RunningOperations.run(readiness: try .forTests(pipelines: []), taps: [fed.pipeline.taps]) {
                running in
                let idle = try await running.get("/tap?pipeline=readings&stage=source&duration=0.2")
                #expect(Self.lines(idle).last == #"{"end":"duration","items":0,"dropped":0}"#)

                async let answer = running.get("/tap?pipeline=readings&stage=source")
                try await fed.waitUntilTapped("source")
                fed.feed.yield(7)
                try await fed.stop()
                let stopped = Self.lines(try await answer)
                #expect(stopped.dropFirst().first == #"{"item":7}"#)
                #expect(stopped.last == #"{"end":"pipeline-stopped","items":1,"dropped":0}"#)
            }
        }

        @Test func unknownPipelineOrStage_is404ListingWhatRuns_aSinkOrBadQueryIs400_postIs405() async throws {
            let fed = FedPipeline()
            try await RunningOperations.run(readiness: try .forTests(pipelines: []), taps: [fed.pipeline.taps]) {
                running in
                let listing = #""pipelines":{"readings":["source","double","print"]}"#
                let stage = try await running.get("/tap?pipeline=readings&stage=triple")
                #expect(stage.status == 404)
                #expect(stage.contentType == "application/json")
                #expect(stage.body.contains(#"{"error":"pipeline readings has no stage 'triple'. "#))
                #expect(stage.body.contains(#"readings: source, double, print"#), "the message lists the stages")
                #expect(stage.body.contains(listing))

                let known = try await running.get("/tap?pipeline=live-broadcast&stage=decode")
                #expect(known.status == 404)
                #expect(known.body.contains("pipeline 'live-broadcast' is not running on this instance"))
                #expect(known.body.contains(listing))
                let unknown = try await running.get("/tap?pipeline=nope&stage=decode")
                #expect(unknown.status == 404)
                #expect(unknown.body.contains("there is no pipeline 'nope'"))

                let sink = try await running.get("/tap?pipeline=readings&stage=print")
                #expect(sink.status == 400)
                #expect(sink.body.contains("print of readings is a sink"))
                #expect(sink.body.contains("with items to tap: source, double"))
                for query in ["pipeline=readings", "pipeline=readings&stage=double&limit=0", "duration=9000"] {
                    let bad = try await running.get("/tap?" + query)
                    #expect(bad.status == 400, "\(query): \(bad.body)")
                    #expect(bad.body.hasPrefix(#"{"error":"#))
                }
                let post = try await httpRequest(.POST, port: running.port, path: "/tap?pipeline=readings&stage=double")
                #expect(post.status == 405)
                #expect(post.headers.first(name: "Allow") == "GET")
                #expect(fed.pipeline.taps.stages.allSatisfy { !$0.isTapped }, "no refused request subscribed")
            }
            try await fed.stop()
        }
    }
}
