/// An event's stored positions, read a page at a time for the map page's replay (`GET /events/<id>/positions`,
/// ``LiveReplayEndpoint``). `PostgresSnapshots` is the real one.
///
/// - Important: Only non-faulty positions (CONTRACT §6.2), as the live feed and the snapshot send them, of the
///   devices of the event (CONTRACT §3: listed by one of its entries), in `(ts, device_id)` order.
public protocol LivePositionHistory: Sendable {
    /// The positions of `event` (a lower-case UUID) that `query` asks for, at most `query.limit`, and the time
    /// span of all of the event's positions. Throws when they cannot be read (→ HTTP 503).
    func positions(event: String, query: LiveReplayQuery) async throws -> LiveReplayPage
}

/// Which of an event's stored positions one replay request asks for.
public struct LiveReplayQuery: Sendable, Hashable {
    /// Where a page ended: its last position's `ts` (µs) and device. The next page starts strictly after it in
    /// `(ts, device_id)` order, so no position is skipped or repeated across pages, even when several share a
    /// `ts`.
    public struct Cursor: Sendable, Hashable {
        public var timestamp: Int64
        public var deviceID: String

        public init(timestamp: Int64, deviceID: String) {
            self.timestamp = timestamp
            self.deviceID = deviceID
        }

        /// As the endpoint writes it: `<µs since the epoch>:<device id>` (the device id may itself hold `:`).
        public var text: String { "\(self.timestamp):\(self.deviceID)" }

        /// The cursor `text` names; nil when it is not one.
        public init?(text: Substring) {
            guard let colon = text.firstIndex(of: ":"), let timestamp = Int64(text[..<colon]) else { return nil }
            let device = text[text.index(after: colon)...]
            guard !device.isEmpty else { return nil }
            self.init(timestamp: timestamp, deviceID: String(device))
        }
    }

    /// Positions at or after this instant (µs); nil: from the first.
    public var from: Int64?
    /// Positions strictly after this one; nil: no cursor.
    public var after: Cursor?
    /// Positions strictly before this instant (µs); nil: up to the last.
    public var until: Int64?
    /// At most this many positions, 1 ... ``maxLimit``.
    public var limit: Int

    /// The default page: 1,000 positions.
    public static let defaultLimit = 1000
    /// The most positions one request returns: 5,000 (about 650 KB of JSON). A larger `limit` is lowered to it.
    public static let maxLimit = 5000

    public init(from: Int64? = nil, after: Cursor? = nil, until: Int64? = nil, limit: Int = Self.defaultLimit) {
        self.from = from
        self.after = after
        self.until = until
        self.limit = limit
    }

    /// The lowest `ts` a position of the page can have: the later of ``from`` and the cursor's.
    public var lowerBound: Int64? {
        switch (self.from, self.after?.timestamp) {
        case (let from?, let after?): max(from, after)
        case (let from, let after): from ?? after
        }
    }
}

/// One page of an event's stored positions, and the span of all of them.
public struct LiveReplayPage: Sendable, Hashable {
    /// In `(ts, device_id)` order, at most the query's limit.
    public var positions: [LivePosition]
    /// The `ts` (µs) of the event's first and last stored non-faulty position; nil when it has none.
    public var first: Int64?
    public var last: Int64?
    /// Whether positions after this page's last one may follow (up to the query's `until`): the next page
    /// starts after it. False: none did when the page was read. A page may hold fewer positions than the
    /// limit and still be followed by more (a store may end a page early to bound its reading).
    public var more: Bool

    public init(positions: [LivePosition], first: Int64?, last: Int64?, more: Bool) {
        self.positions = positions
        self.first = first
        self.last = last
        self.more = more
    }
}
