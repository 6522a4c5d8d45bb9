import Foundation

extension CMSClient {
    /// The events the cookie's user may read, for the map page's picker: Directus's item list
    /// `GET /items/events?fields=id,name&limit=-1` (`limit=-1`: every item, not the first 100), which holds only
    /// the items the user's role may read. `401` / `403` is a user who may read none (`.events([])`); anything
    /// else but `200 {"data":[{"id":…,"name":…}…]}` is `.unavailable`, logged at warning. Ordered by name, then
    /// id, so the picker reads the same however the CMS sorts.
    public func events(cookie: String?) async -> LiveEventList {
        guard let cookie, !cookie.isEmpty else { return .events([]) }
        let url = self.base + "/items/events?fields=id,name&limit=-1"
        let start = ContinuousClock.now
        let answer: LiveEventList
        switch await self.get(url, cookie: cookie) {
        case .failed(let reason):
            answer = .unavailable(reason: reason)
        case .answered(401, _), .answered(403, _):
            answer = .events([])
        case .answered(200, let body):
            if let list = try? JSONDecoder().decode(EventItems.self, from: Data(body)) {
                answer = .events(
                    list.data.sorted { ($0.name ?? "", $0.id) < ($1.name ?? "", $1.id) }
                )
            } else {
                answer = .unavailable(reason: Self.unexpected(url, 200, #"{"data": [{"id": "…", "name": …}…]}"#))
            }
        case .answered(let status, _):
            answer = .unavailable(reason: Self.unexpected(url, status, nil))
        }
        let outcome: CMSOutcome
        switch answer {
        case .events(let list): outcome = list.isEmpty ? .denied : .ok
        case .unavailable(let reason):
            outcome = .unavailable
            self.logger.warning("cannot ask the CMS which events the user may read", metadata: ["reason": "\(reason)"])
        }
        self.metrics.record(.events, outcome, start.duration(to: .now))
        return answer
    }

    /// `{"data": [{"id": "…", "name": "…" | null}…]}`
    private struct EventItems: Decodable {
        var data: [LiveEventSummary]
    }
}
