import CMSStub
import Foundation
import Logging
import Stages
import Testing

extension Integration {
    /// The real `CMSClient` against the real `CMSStub` over HTTP on 127.0.0.1 (CONTRACT §4).
    @Suite struct CMSClientTests {
        static let event = UUID().uuidString.lowercased()
        static let otherEvent = UUID().uuidString.lowercased()

        /// Runs `body` with a stub and a client of it, then shuts both down.
        func withCMS(
            basePath: String = "",
            trailingSlash: Bool = false,
            timeout: Duration = .seconds(5),
            metrics: RecordingMetrics = RecordingMetrics(),
            _ body: (CMSStub, CMSClient) async throws -> Void
        ) async throws {
            try await RunningCMSStub.run(basePath: basePath) { running in
                let url = trailingSlash ? URL(string: running.url.absoluteString + "/")! : running.url
                let client = CMSClient(
                    configuration: .init(baseURL: url, timeout: timeout),
                    logger: Logger(label: "cms-test", factory: { _ in SwiftLogNoOpLogHandler() }),
                    metricsFactory: metrics
                )
                do {
                    try await body(running.stub, client)
                } catch {
                    try await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        }

        // MARK: - users/me

        @Test func validSessionIsTheUser() async throws {
            try await self.withCMS { _, client in
                let answer = await client.authenticate(cookie: "directus_session_token=valid-alice")
                #expect(answer == .user(id: "valid-alice"))
            }
        }

        @Test func sessionSetUpInCodeIsItsUser() async throws {
            try await self.withCMS { stub, client in
                stub.addSession(token: "t-1", user: "8f0e7f64-0000-4000-8000-000000000001", access: .noEvents)
                let answer = await client.authenticate(cookie: "directus_session_token=t-1")
                #expect(answer == .user(id: "8f0e7f64-0000-4000-8000-000000000001"))
                stub.removeSession(token: "t-1")
                #expect(await client.authenticate(cookie: "directus_session_token=t-1") == .notAuthenticated)
            }
        }

        @Test func dataNullIsNotAuthenticated() async throws {
            try await self.withCMS { _, client in
                #expect(await client.authenticate(cookie: "directus_session_token=expired") == .notAuthenticated)
                #expect(await client.authenticate(cookie: "other=1") == .notAuthenticated)
            }
        }

        @Test(arguments: [401, 403])
        func status401Or403IsNotAuthenticated(status: Int) async throws {
            try await self.withCMS { stub, client in
                stub.setBehavior(.respond(status: status, body: #"{"errors":[]}"#), for: [.usersMe])
                #expect(await client.authenticate(cookie: "directus_session_token=valid-alice") == .notAuthenticated)
            }
        }

        @Test func noCookieIsNotAuthenticatedWithoutAsking() async throws {
            try await self.withCMS { stub, client in
                #expect(await client.authenticate(cookie: nil) == .notAuthenticated)
                #expect(await client.authenticate(cookie: "") == .notAuthenticated)
                #expect(stub.requests.isEmpty)
            }
        }

        @Test func cookieIsForwardedVerbatim() async throws {
            try await self.withCMS { stub, client in
                let cookie = "theme=dark; directus_session_token=valid-bob;other=a=b; x=\"quoted value\""
                #expect(await client.authenticate(cookie: cookie) == .user(id: "valid-bob"))
                #expect(stub.lastCookie == cookie)
                _ = await client.authorize(event: Self.event, cookie: cookie)
                #expect(stub.lastCookie == cookie)
                #expect(
                    stub.requests.map(\.uri) == ["/users/me?fields=id", "/items/events/\(Self.event)?fields=id"]
                )
            }
        }

        @Test func status500IsUnavailable() async throws {
            try await self.withCMS { stub, client in
                stub.setBehavior(.failing)
                let answer = await client.authenticate(cookie: "directus_session_token=valid-alice")
                guard case .unavailable(let reason) = answer else {
                    Issue.record("expected unavailable, got \(answer)")
                    return
                }
                #expect(reason.contains("/users/me?fields=id"))
                #expect(reason.contains("500"))
            }
        }

        @Test(arguments: [#"not json"#, #"{}"#, #"{"data":5}"#, #"{"data":{"name":"x"}}"#, #"{"data":{"id":7}}"#])
        func malformedBodyIsUnavailable(body: String) async throws {
            try await self.withCMS { stub, client in
                stub.setBehavior(.respond(status: 200, body: body), for: [.usersMe])
                let answer = await client.authenticate(cookie: "directus_session_token=valid-alice")
                guard case .unavailable(let reason) = answer else {
                    Issue.record("expected unavailable for \(body), got \(answer)")
                    return
                }
                #expect(reason.contains("/users/me?fields=id"))
            }
        }

        @Test func hangingCMSIsUnavailableWithinTheTimeout() async throws {
            try await self.withCMS(timeout: .milliseconds(300)) { stub, client in
                stub.setBehavior(.hang(.seconds(30)))
                let start = ContinuousClock.now
                let authentication = await client.authenticate(cookie: "directus_session_token=valid-alice")
                let authorization = await client.authorize(event: Self.event, cookie: "directus_session_token=valid-a")
                let elapsed = start.duration(to: .now)
                guard case .unavailable(let reason) = authentication else {
                    Issue.record("expected unavailable, got \(authentication)")
                    return
                }
                #expect(reason.contains("/users/me?fields=id"))
                #expect(reason.contains("no answer within"))
                guard case .unavailable = authorization else {
                    Issue.record("expected unavailable, got \(authorization)")
                    return
                }
                #expect(elapsed < .seconds(3), "two requests with a 300 ms timeout took \(elapsed)")
            }
        }

        @Test func closedPortIsUnavailable() async throws {
            let running = try await RunningCMSStub.start()
            try await running.stop()  // nothing listens on its port any more
            let client = CMSClient(
                configuration: .init(baseURL: running.url, timeout: .seconds(5)),
                logger: Logger(label: "cms-test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            let authentication = await client.authenticate(cookie: "directus_session_token=valid-alice")
            let authorization = await client.authorize(event: Self.event, cookie: "directus_session_token=valid-a")
            try await client.shutdown()
            guard case .unavailable(let reason) = authentication else {
                Issue.record("expected unavailable, got \(authentication)")
                return
            }
            #expect(reason.contains("\(running.url.absoluteString)/users/me?fields=id"))
            guard case .unavailable = authorization else {
                Issue.record("expected unavailable, got \(authorization)")
                return
            }
        }

        @Test func basePathIsKept() async throws {
            try await self.withCMS(basePath: "/cms", trailingSlash: true) { stub, client in
                #expect(
                    await client.authenticate(cookie: "directus_session_token=valid-alice") == .user(id: "valid-alice")
                )
                #expect(await client.authorize(event: Self.event, cookie: "directus_session_token=valid-a") == .allowed)
                #expect(
                    stub.requests.map(\.uri) == [
                        "/cms/users/me?fields=id", "/cms/items/events/\(Self.event)?fields=id",
                    ]
                )
            }
        }

        // MARK: - items/events

        @Test func eventAllowed() async throws {
            try await self.withCMS { stub, client in
                #expect(await client.authorize(event: Self.event, cookie: "directus_session_token=valid-a") == .allowed)
                let only = "directus_session_token=events-\(Self.event)+\(UUID().uuidString)"
                #expect(await client.authorize(event: Self.event, cookie: only) == .allowed)
                stub.addSession(token: "t-2", user: "u-2", access: .events([Self.event.uppercased()]))
                #expect(await client.authorize(event: Self.event, cookie: "directus_session_token=t-2") == .allowed)
            }
        }

        @Test func event403IsForbidden() async throws {
            try await self.withCMS { _, client in
                let only = "directus_session_token=events-\(Self.event)"
                #expect(await client.authorize(event: Self.otherEvent, cookie: only) == .forbidden)
                #expect(
                    await client.authorize(event: Self.event, cookie: "directus_session_token=none-b") == .forbidden
                )
                #expect(
                    await client.authorize(event: Self.event, cookie: "directus_session_token=expired") == .forbidden
                )
                #expect(await client.authorize(event: Self.event, cookie: nil) == .forbidden)
            }
        }

        @Test func event404IsForbidden() async throws {
            try await self.withCMS { stub, client in
                stub.setEvents([Self.event])
                let cookie = "directus_session_token=valid-a"
                #expect(await client.authorize(event: Self.otherEvent, cookie: cookie) == .forbidden)
                #expect(await client.authorize(event: "not-a-uuid", cookie: cookie) == .forbidden)
                #expect(await client.authorize(event: Self.event, cookie: cookie) == .allowed)
            }
        }

        @Test(arguments: [401, 403, 404])
        func eventStatusIsForbidden(status: Int) async throws {
            try await self.withCMS { stub, client in
                stub.setBehavior(.respond(status: status, body: #"{"errors":[]}"#), for: [.event])
                #expect(
                    await client.authorize(event: Self.event, cookie: "directus_session_token=valid-a") == .forbidden
                )
            }
        }

        @Test func eventDataNullIsForbidden() async throws {
            try await self.withCMS { stub, client in
                stub.setBehavior(.respond(status: 200, body: #"{"data":null}"#), for: [.event])
                #expect(
                    await client.authorize(event: Self.event, cookie: "directus_session_token=valid-a") == .forbidden
                )
            }
        }

        @Test(arguments: [(500, #"{"errors":[]}"#), (502, ""), (200, "[]"), (200, #"{"data":"x"}"#)])
        func eventOtherAnswerIsUnavailable(status: Int, body: String) async throws {
            try await self.withCMS { stub, client in
                stub.setBehavior(.respond(status: status, body: body), for: [.event])
                let answer = await client.authorize(event: Self.event, cookie: "directus_session_token=valid-a")
                guard case .unavailable(let reason) = answer else {
                    Issue.record("expected unavailable for \(status) \(body), got \(answer)")
                    return
                }
                #expect(reason.contains("/items/events/\(Self.event)?fields=id"))
            }
        }

        // MARK: - Metrics

        @Test func requestsAreTimedByCallAndOutcome() async throws {
            let metrics = RecordingMetrics()
            try await self.withCMS(metrics: metrics) { stub, client in
                _ = await client.authenticate(cookie: "directus_session_token=valid-alice")
                _ = await client.authenticate(cookie: "directus_session_token=expired")
                _ = await client.authenticate(cookie: nil)  // not asked, not timed
                _ = await client.authorize(event: Self.event, cookie: "directus_session_token=none-b")
                stub.setBehavior(.failing)
                _ = await client.authorize(event: Self.event, cookie: "directus_session_token=valid-a")
            }
            let label = "flowrun_cms_request_seconds"
            #expect(metrics.values(label, [("call", "users_me"), ("outcome", "ok")]).count == 1)
            #expect(metrics.values(label, [("call", "users_me"), ("outcome", "denied")]).count == 1)
            #expect(metrics.values(label, [("call", "users_me"), ("outcome", "unavailable")]).isEmpty)
            #expect(metrics.values(label, [("call", "event"), ("outcome", "ok")]).isEmpty)
            #expect(metrics.values(label, [("call", "event"), ("outcome", "denied")]).count == 1)
            #expect(metrics.values(label, [("call", "event"), ("outcome", "unavailable")]).count == 1)
        }
    }
}
