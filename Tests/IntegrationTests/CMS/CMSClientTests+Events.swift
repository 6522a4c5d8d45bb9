import CMSStub
import Foundation
import Stages
import Testing

// MARK: - items/events (the map page's picker)

extension Integration.CMSClientTests {
    @Test func theEventListHoldsTheListedEventsTheSessionMayWatch_sortedByName() async throws {
        try await self.withCMS { stub, client in
            stub.setListedEvents([
                CMSListedEvent(id: Self.otherEvent, name: "Zeta"), CMSListedEvent(id: Self.event, name: "Alpha"),
            ])
            let all = await client.events(cookie: "directus_session_token=valid-alice")
            #expect(
                all
                    == .events([
                        LiveEventSummary(id: Self.event, name: "Alpha"),
                        LiveEventSummary(id: Self.otherEvent, name: "Zeta"),
                    ])
            )
            let one = await client.events(cookie: "directus_session_token=events-\(Self.otherEvent)")
            #expect(one == .events([LiveEventSummary(id: Self.otherEvent, name: "Zeta")]))
            #expect(await client.events(cookie: "directus_session_token=none-bob") == .events([]))
            // No session: the stub answers 403, which is an empty list (the page asks /users/me first).
            #expect(await client.events(cookie: "directus_session_token=expired") == .events([]))
            #expect(stub.requests.last?.uri == "/items/events?fields=id,name&limit=-1")
        }
    }

    @Test func theEventListOfAFailingCMSIsUnavailable() async throws {
        try await self.withCMS { stub, client in
            stub.setBehavior(.failing, for: [.events])
            guard case .unavailable(let reason) = await client.events(cookie: "directus_session_token=valid-a") else {
                Issue.record("a 500 is not an event list")
                return
            }
            #expect(reason.contains("500"))
            stub.setBehavior(.respond(status: 200, body: #"{"data":{"id":"x"}}"#), for: [.events])
            guard case .unavailable = await client.events(cookie: "directus_session_token=valid-a") else {
                Issue.record("an object is not a list")
                return
            }
        }
    }
}
