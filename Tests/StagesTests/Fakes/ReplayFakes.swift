import Stages
import Synchronization

/// A CMS for the replay endpoint: `session=valid` is a user who may watch every event but those the test
/// forbids, `session=down` cannot be asked, anything else (or no cookie) is nobody. Records each question.
final class FakeReplayAuthority: LiveAuthority {
    struct State {
        var forbidden: Set<String> = []
        var authorizationUnavailable = false
        var asked: [String] = []
    }

    let state = Mutex(State())

    func authenticate(cookie: String?) async -> LiveAuthentication {
        self.state.withLock { $0.asked.append("authenticate") }
        switch cookie {
        case "session=valid": return .user(id: "u1")
        case "session=down": return .unavailable(reason: "test: the CMS is down")
        default: return .notAuthenticated
        }
    }

    func authorize(event: String, cookie: String?) async -> LiveAuthorization {
        self.state.withLock { state in
            state.asked.append("authorize \(event)")
            if state.authorizationUnavailable { return .unavailable(reason: "test: the CMS is down") }
            return state.forbidden.contains(event) ? .forbidden : .allowed
        }
    }

    func events(cookie: String?) async -> LiveEventList { .events([]) }
}

/// An event's stored positions in memory, paged as ``LivePositionHistory`` says (non-faulty ones only are
/// given to it; `(ts, device_id)` order, the query's bounds, cursor and limit); can be made to fail. Records
/// each query.
final class FakePositionHistory: LivePositionHistory {
    struct Unreadable: Error {}

    struct State {
        var positions: [String: [LivePosition]] = [:]
        var failing = false
        var queries: [LiveReplayQuery] = []
    }

    let state = Mutex(State())

    init(_ positions: [String: [LivePosition]] = [:]) {
        self.state.withLock { $0.positions = positions }
    }

    func positions(event: String, query: LiveReplayQuery) async throws -> LiveReplayPage {
        let (stored, failing) = self.state.withLock { state in
            state.queries.append(query)
            return (state.positions[event] ?? [], state.failing)
        }
        if failing { throw Unreadable() }
        let ordered = stored.sorted { ($0.timestamp, $0.deviceID) < ($1.timestamp, $1.deviceID) }
        let page = ordered.filter { position in
            if let from = query.from, position.timestamp < from { return false }
            if let until = query.until, position.timestamp >= until { return false }
            if let after = query.after, (position.timestamp, position.deviceID) <= (after.timestamp, after.deviceID) {
                return false
            }
            return true
        }
        return LiveReplayPage(
            positions: Array(page.prefix(query.limit)),
            first: ordered.first?.timestamp,
            last: ordered.last?.timestamp,
            more: page.count > query.limit
        )
    }
}
