/// What the live server asks the CMS (CONTRACT §4): who the browser is, and whether it may watch an event.
///
/// The live server depends on this protocol, not on HTTP, so its protocol handling is tested with a fake;
/// `CMSClient` is the real one.
public protocol LiveAuthority: Sendable {
    /// Asked once per WebSocket upgrade, with the request's `Cookie` header verbatim (nil when absent).
    func authenticate(cookie: String?) async -> LiveAuthentication
    /// Asked per `subscribe`, with the cookie of the upgrade that opened the socket.
    func authorize(event: String, cookie: String?) async -> LiveAuthorization
    /// Asked per `GET /events` of the map page (after ``authenticate(cookie:)`` found a user), with the
    /// request's cookie: the events the user may read, for the page's event picker.
    func events(cookie: String?) async -> LiveEventList
}

/// The answer to `GET /events`: the events the user may read (none when the CMS forbids the list), or no
/// answer (→ HTTP 503).
public enum LiveEventList: Sendable, Hashable {
    case events([LiveEventSummary])
    case unavailable(reason: String)
}

/// An event as the page's picker shows it: `{"id","name"}` (`name` may be null, CONTRACT §3).
public struct LiveEventSummary: Sendable, Hashable, Codable {
    public var id: String
    public var name: String?

    public init(id: String, name: String?) {
        self.id = id
        self.name = name
    }

    /// `name` as `null` when absent, as the CMS sends it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.name, forKey: .name)
    }

    private enum CodingKeys: String, CodingKey { case id, name }
}

/// The answer to an upgrade: a user, nobody (→ HTTP 401), or no answer (→ HTTP 503).
public enum LiveAuthentication: Sendable, Hashable {
    case user(id: String)
    case notAuthenticated
    /// The CMS could not be asked; `reason` says why (for the log, never for the browser).
    case unavailable(reason: String)
}

/// The answer to a `subscribe`: allowed, `forbidden`, or `unavailable`.
public enum LiveAuthorization: Sendable, Hashable {
    case allowed
    case forbidden
    case unavailable(reason: String)
}

/// The snapshot sent with `subscribed` (CONTRACT §5, §6.5): the latest non-faulty stored position of every
/// device of the event, and the event's course, entries and counted crossings. `PostgresSnapshots` is the real
/// one.
///
/// - Important: Both are read after the subscription joined its topic, so that every position or crossing
///   published from then on follows `subscribed` (nothing falls between the snapshot and the live feed).
public protocol LiveSnapshots: Sendable {
    /// Throws when the snapshot cannot be read; the subscriber then gets an `unavailable` error.
    func snapshot(event: String) async throws -> [LivePosition]
    /// Throws when the course, the entries or the crossings cannot be read; the subscriber then gets an
    /// `unavailable` error.
    func timing(event: String) async throws -> LiveTimingSnapshot
}
