import CMSStub
import Foundation
import Logging
import Stages
import Testing

extension Integration {
    /// The stub's own lifecycle and conventions (its answers are tested through `CMSClientTests`).
    @Suite struct CMSStubTests {
        static let quiet = Logger(label: "cms-stub-test", factory: { _ in SwiftLogNoOpLogHandler() })

        @Test func portTakenFailsRunAndPort() async throws {
            try await RunningCMSStub.run { running in
                let port = try await running.stub.port()
                let second = CMSStub(host: "127.0.0.1", port: port, logger: Self.quiet)
                await #expect(throws: (any Error).self) { try await second.run() }
                await #expect(throws: CMSStubError.self) { try await second.port() }
            }
        }

        @Test func shutdownBeforeRunMakesRunReturnAtOnce() async throws {
            let stub = CMSStub(logger: Self.quiet)
            stub.shutdown()
            try await stub.run()
            await #expect(throws: CMSStubError.self) { try await stub.port() }
        }

        @Test func eventsTokenIsCaseInsensitiveAndSessionsInCodeWin() async throws {
            let event = UUID().uuidString.lowercased()
            try await RunningCMSStub.run { running in
                let client = CMSClient(configuration: .init(baseURL: running.url), logger: Self.quiet)
                let token = "events-\(event.uppercased())"
                #expect(await client.authorize(event: event, cookie: "directus_session_token=\(token)") == .allowed)
                running.stub.addSession(token: token, user: "u-1", access: .noEvents)
                #expect(await client.authenticate(cookie: "directus_session_token=\(token)") == .user(id: "u-1"))
                #expect(await client.authorize(event: event, cookie: "directus_session_token=\(token)") == .forbidden)
                try await client.shutdown()
            }
        }

        @Test func loginSetsTheSessionCookieAndRedirectsToNext() async throws {
            try await RunningCMSStub.run { running in
                let port = try await running.stub.port()
                let next = "http://127.0.0.1:8080/events/x"
                let answer = try await plainGet("/login?user=ann&next=\(next)", port: port)
                #expect(answer.hasPrefix("HTTP/1.1 303"), "\(answer)")
                let lower = answer.lowercased()
                #expect(lower.contains("set-cookie: directus_session_token=valid-ann; path=/"), "\(answer)")
                #expect(lower.contains("location: \(next)"), "\(answer)")
                #expect(try await plainGet("/login", port: port).contains("signed in as valid-demo"))
                #expect(try await plainGet("/login?user=a%20b", port: port).hasPrefix("HTTP/1.1 400"))
            }
        }
    }
}
