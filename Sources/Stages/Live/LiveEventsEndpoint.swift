import Foundation
import NIOHTTP1

/// `GET /events` on the live port: who the cookie's user is and which events they may watch, for the map page's
/// picker. It asks the CMS exactly as an upgrade of `/live` does first (CONTRACT §4 `GET /users/me`), so its
/// status is the one the upgrade would get, which a browser's WebSocket cannot read:
///
/// | CMS says | answer |
/// |---|---|
/// | a user | `200 {"user":"<id>","events":[{"id":"…","name":"…"}…]}` (CMS `GET /items/events?fields=id,name`) |
/// | nobody | `401 {"error":"not-authenticated","message":"sign in to the CMS"}` |
/// | no answer (either call) | `503 {"error":"unavailable","message":"the CMS is unavailable"}` |
enum LiveEventsEndpoint {
    static func answer(cookie: String?, authority: any LiveAuthority) async -> LiveHTTPAnswer {
        let authentication = await authority.authenticate(cookie: cookie)
        if let refusal = LiveHTTPAnswer.refusal(authentication) { return refusal }
        guard case .user(let user) = authentication else { return .unavailable }
        switch await authority.events(cookie: cookie) {
        case .unavailable:
            return .unavailable
        case .events(let events):
            let body = Body(user: user, events: events)
            guard let data = try? JSONEncoder().encode(body) else {
                return LiveHTTPAnswer(.internalServerError, json: "{}")
            }
            return LiveHTTPAnswer(.ok, json: String(decoding: data, as: UTF8.self))
        }
    }

    private struct Body: Encodable {
        var user: String
        var events: [LiveEventSummary]
    }
}
