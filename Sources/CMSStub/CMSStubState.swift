import Foundation

/// Which events a session's user may watch.
public enum CMSAccess: Sendable, Hashable {
    /// Every event (that exists: see ``CMSStub/setEvents(_:)``).
    case allEvents
    /// Only these event ids (compared case-insensitively).
    case events(Set<String>)
    /// Authenticated, but no event may be watched.
    case noEvents

    func allows(_ event: String) -> Bool {
        switch self {
        case .allEvents: true
        case .events(let events): events.contains(event.lowercased())
        case .noEvents: false
        }
    }
}

/// A signed-in user: who it is and what it may watch.
public struct CMSSession: Sendable, Hashable {
    public var user: String
    public var access: CMSAccess

    public init(user: String, access: CMSAccess) {
        self.user = user
        if case .events(let events) = access {
            self.access = .events(Set(events.map { $0.lowercased() }))
        } else {
            self.access = access
        }
    }

    /// The session a token stands for by the stub's naming convention, or nil (an invalid session):
    ///
    /// | token | session |
    /// |---|---|
    /// | `valid-<anything>` | user `<token>`, every event |
    /// | `events-<uuid>+<uuid>…` | user `<token>`, only those events |
    /// | `none-<anything>` | user `<token>`, no event |
    /// | anything else | none: `/users/me` answers `{"data": null}` |
    public init?(conventionalToken token: String) {
        if token.hasPrefix("valid-") {
            self.init(user: token, access: .allEvents)
        } else if token.hasPrefix("events-") {
            let events = token.dropFirst("events-".count).split(separator: "+").map(String.init)
            self.init(user: token, access: .events(Set(events)))
        } else if token.hasPrefix("none-") {
            self.init(user: token, access: .noEvents)
        } else {
            return nil
        }
    }
}

/// The two calls of CONTRACT §4 the stub answers.
public enum CMSEndpoint: String, Sendable, Hashable, CaseIterable {
    /// `GET /users/me?fields=id`
    case usersMe = "users_me"
    /// `GET /items/events/<event-id>?fields=id`
    case event
    /// `GET /items/events?fields=id,name`: the events the session may read (the map page's picker).
    case events
}

/// An event the stub lists at `GET /items/events`: its id and name (CONTRACT §3's `events.name`, may be null).
public struct CMSListedEvent: Sendable, Hashable {
    public var id: String
    public var name: String?

    public init(id: String, name: String?) {
        self.id = id.lowercased()
        self.name = name
    }
}

/// How an endpoint answers: by the contract (the default), or simulating a CMS that misbehaves.
public enum CMSBehavior: Sendable, Hashable {
    /// Answers from the sessions and grants, per CONTRACT §4.
    case normal
    /// Answers every request with this status and body (JSON), whatever the session: e.g. `500` for a
    /// failing CMS, `401`/`403`, or `200` with `{"data": null}` or a malformed body.
    case respond(status: Int, body: String)
    /// Waits this long, then answers normally: a CMS that does not answer in time. The wait ends early when
    /// the stub is shut down or cancelled.
    case hang(Duration)

    /// A CMS failing with HTTP 500.
    public static let failing = CMSBehavior.respond(
        status: 500,
        body: #"{"errors":[{"message":"An unexpected error occurred.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#
    )
}

/// A request the stub received, as recorded for tests.
public struct CMSRecordedRequest: Sendable, Hashable {
    public var endpoint: CMSEndpoint
    /// The path and query as received, e.g. `/users/me?fields=id`.
    public var uri: String
    /// The `Cookie` header exactly as received (several `Cookie` fields joined with `"; "`), nil when absent.
    public var cookie: String?
}

/// The stub's mutable configuration and record; guarded by the ``CMSStub``'s mutex.
struct CMSStubState {
    /// Sessions set up in code, by token; they win over the token conventions.
    var sessions: [String: CMSSession] = [:]
    /// The events that exist (lowercase ids); nil: every UUID is an existing event.
    var events: Set<String>?
    /// What `GET /items/events` lists (filtered by the session's access), in this order.
    var listed: [CMSListedEvent] = []
    var behaviors: [CMSEndpoint: CMSBehavior] = [:]
    /// The most recent requests, oldest first, at most ``recordLimit``.
    var requests: [CMSRecordedRequest] = []

    static let recordLimit = 1000

    func session(token: String?) -> CMSSession? {
        guard let token else { return nil }
        return self.sessions[token] ?? CMSSession(conventionalToken: token)
    }

    func exists(event: String) -> Bool {
        guard let events = self.events else { return UUID(uuidString: event) != nil }
        return events.contains(event.lowercased())
    }

    mutating func record(_ request: CMSRecordedRequest) {
        if self.requests.count >= Self.recordLimit { self.requests.removeFirst(self.requests.count / 2) }
        self.requests.append(request)
    }
}
