import Foundation
import Pipelines
import Testing

extension Integration {
    /// `GET /readyz` and the checks behind it, against the real servers, a closed port and a server that
    /// accepts connections and never answers.
    @Suite struct ReadinessTests {
        @Test func readyWhenBothServersAnswerAndEveryPipelineRuns() async throws {
            let readiness = try Readiness.forTests(pipelines: ["durable-write", "live-broadcast"])
            try await RunningOperations.run(readiness: readiness) { running in
                readiness.set(.running, of: "durable-write")
                readiness.set(.running, of: "live-broadcast")
                let answer = try await Self.readyz(running, until: { $0.status == 200 })
                #expect(answer.contentType == "application/json")
                #expect(
                    answer.body.hasPrefix(
                        #"{"ready":true,"checks":{"redis":"ok","postgres":"ok","#
                            + #""pipelines":{"durable-write":"running","live-broadcast":"running"}}}"#
                    )
                )
            }
        }

        @Test func startingPipelineIs503NamingItThen200OnceRunning() async throws {
            let readiness = try Readiness.forTests(pipelines: ["durable-write", "live-broadcast"])
            try await RunningOperations.run(readiness: readiness) { running in
                readiness.set(.running, of: "durable-write")
                // The servers answer (the checks ran), the pipeline is still starting.
                try await Self.eventually("both servers checked") {
                    let report = readiness.report
                    return report.redis == .ok && report.postgres == .ok
                }
                let starting = try await running.get("/readyz")
                #expect(starting.status == 503)
                #expect(starting.body.hasPrefix(#"{"ready":false,"problems":["pipeline live-broadcast: starting"]"#))
                readiness.set(.running, of: "live-broadcast")
                let ready = try await running.get("/readyz")
                #expect(ready.status == 200, "\(ready.body)")
                readiness.set(.draining, of: "durable-write")
                let draining = try await running.get("/readyz")
                #expect(draining.status == 503)
                #expect(draining.body.contains(#""problems":["pipeline durable-write: draining"]"#))
            }
        }

        @Test func closedPostgresPortIs503NamingPostgres() async throws {
            let readiness = try Readiness.forTests(
                pipelines: ["durable-write"],
                postgresURL: "postgresql://flowrun@127.0.0.1:1/flowrun"
            )
            readiness.set(.running, of: "durable-write")
            try await RunningOperations.run(readiness: readiness) { running in
                let answer = try await Self.readyz(running, until: { $0.body.contains("postgres: cannot connect") })
                #expect(answer.status == 503)
                #expect(
                    answer.body.contains(
                        #""problems":["postgres: cannot connect to 127.0.0.1:1/flowrun: Connection refused"]"#
                    )
                )
                #expect(answer.body.contains(#""redis":"ok""#))
                #expect(readiness.report.problems.count == 1, "\(readiness.report.problems)")
            }
        }

        @Test func notReadyBeforeTheFirstCheck() async throws {
            let readiness = try Readiness.forTests(pipelines: [])
            try await RunningOperations.run(readiness: readiness, checkReadiness: false) { running in
                let answer = try await running.get("/readyz")
                #expect(answer.status == 503)
                #expect(answer.body.contains(#""redis: not checked yet","postgres: not checked yet""#))
                await readiness.checkNow()
                #expect(try await running.get("/readyz").status == 200)
            }
        }

        /// An answer older than two rounds no longer counts: a stopped checker shows as not ready.
        @Test func answersOfAStoppedCheckerGoStale() async throws {
            let readiness = try Readiness.forTests(pipelines: [], timeout: .milliseconds(100))
            await readiness.checkNow()
            #expect(readiness.report.isReady, "\(readiness.report.problems)")
            try await Self.eventually("stale") { !readiness.report.isReady }
            let problems = readiness.report.problems
            #expect(problems.count == 2)
            #expect(problems.allSatisfy { $0.hasSuffix("the readiness checks are not running") }, "\(problems)")
        }

        /// A server that accepts connections and never answers holds no check past its timeout.
        @Test func hungServersCountAsNotReadyWithinTheTimeout() async throws {
            let hung = try SilentListener()
            defer { hung.close() }
            let readiness = try Readiness.forTests(
                pipelines: [],
                redisURL: "redis://127.0.0.1:\(hung.port)",
                postgresURL: "postgresql://flowrun@127.0.0.1:\(hung.port)/flowrun",
                timeout: .milliseconds(300)
            )
            for round in 1...4 {
                let start = ContinuousClock.now
                await readiness.checkNow()
                let took = start.duration(to: .now)
                // A liveness bound, far above the 300 ms timeout (the machine may be busy).
                #expect(took < .seconds(5), "round \(round) took \(took)")
                let report = readiness.report
                #expect(!report.isReady)
                #expect(report.problems.count == 2, "\(report.problems)")
                #expect(report.problems.first { $0.hasPrefix("redis: ") } != nil, "\(report.problems)")
                #expect(
                    report.problems.first { $0.hasPrefix("postgres: no answer from 127.0.0.1:\(hung.port)") } != nil,
                    "\(report.problems)"
                )
            }
        }

        /// Polls `/readyz` until `condition` holds (a liveness guard of 30 s, not a timing assertion).
        static func readyz(
            _ running: RunningOperations,
            until condition: @escaping (HTTPAnswer) -> Bool
        ) async throws -> HTTPAnswer {
            var last: HTTPAnswer?
            let start = ContinuousClock.now
            while start.duration(to: .now) < .seconds(30) {
                let answer: HTTPAnswer
                do {
                    answer = try await running.get("/readyz")
                } catch {
                    // Seen once in a run under load ("I/O on closed channel" on the first request); not
                    // reproduced alone. Say what the server and the checker were at, for the next time.
                    throw HarnessError(
                        "GET /readyz on port \(running.port) failed after \(start.duration(to: .now)): \(error); "
                            + "the server listens on \(running.server.currentPort.map(String.init) ?? "no port"), "
                            + "readiness: \(running.readiness.report)"
                    )
                }
                if condition(answer) { return answer }
                last = answer
                try await Task.sleep(for: .milliseconds(50))
            }
            throw HarnessError(
                "gave up waiting for /readyz; last answer: \(last.map { "\($0.status) \($0.body)" } ?? "none")"
            )
        }

        static func eventually(_ what: String, _ condition: () -> Bool) async throws {
            let start = ContinuousClock.now
            while !condition() {
                if start.duration(to: .now) > .seconds(30) { throw HarnessError("gave up waiting: \(what)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
