import Foundation
import NIOHTTP1
import Pipelines
import ServiceLifecycle
import Testing

extension Integration {
    /// The operations port's lifecycle and its plain endpoints, over real HTTP.
    @Suite struct OperationsServerTests {
        @Test func healthzAnswersOkWhileServing() async throws {
            try await RunningOperations.run(readiness: try .forTests(pipelines: ["durable-write"])) { running in
                // Alive even though nothing is ready: the pipeline is still starting.
                let answer = try await running.get("/healthz")
                #expect(answer.status == 200)
                #expect(answer.body == "ok\n")
            }
        }

        @Test func unknownPathIs404NamingTheEndpointsAndPostIs405() async throws {
            try await RunningOperations.run(readiness: try .forTests(pipelines: [])) { running in
                let unknown = try await running.get("/metrics/extra")
                #expect(unknown.status == 404)
                #expect(unknown.body.split(separator: "\n").count == 1)
                #expect(unknown.body.contains("/metrics, /healthz, /readyz"))
                let post = try await httpRequest(.POST, port: running.port, path: "/healthz")
                #expect(post.status == 405)
                #expect(post.headers.first(name: "Allow") == "GET, HEAD")
                let head = try await httpRequest(.HEAD, port: running.port, path: "/healthz")
                #expect(head.status == 200)
                #expect(head.body.isEmpty)
            }
        }

        @Test func portZeroBindsAFreePortThatIsReadableAndServes() async throws {
            try await RunningOperations.run(readiness: try .forTests(pipelines: [])) { running in
                #expect(running.port > 0)
                #expect(running.server.currentPort == running.port)
                let port = try await running.server.port()
                #expect(port == running.port)
                let answer = try await running.get("/healthz")
                #expect(answer.status == 200)
            }
        }

        @Test func gracefulShutdownStopsTheServerAndFreesThePort() async throws {
            let running = try await RunningOperations(readiness: try .forTests(pipelines: []))
            let port = running.port
            #expect(try await running.get("/healthz").status == 200)
            try await running.stop()
            #expect(running.server.currentPort == nil)
            await #expect(throws: OperationsServerError.self) { try await running.server.port() }
            await #expect(throws: (any Error).self) { try await httpRequest(port: port, path: "/healthz") }
        }

        @Test func takenPortFailsRunWithTheAddressAndFailsPort() async throws {
            try await RunningOperations.run(readiness: try .forTests(pipelines: [])) { running in
                let second = OperationsServer(
                    configuration: .init(host: "127.0.0.1", port: running.port),
                    registry: PrometheusMetrics().registry,
                    readiness: running.readiness,
                    logger: RunningOperations.logger
                )
                let error = await #expect(throws: OperationsServerError.self) { try await second.run() }
                #expect("\(error.map { "\($0)" } ?? "")".contains("127.0.0.1:\(running.port)"))
                await #expect(throws: OperationsServerError.self) { try await second.port() }
            }
        }
    }
}
