import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// `GET /events/<event-id>/positions` on the live port: a page of the event's stored positions, for the map
/// page's replay. Authorised exactly as a subscription to the event: the cookie is asked about as in an upgrade
/// of `/live` (CONTRACT §4 `GET /users/me`), then about the event as a `subscribe` is (`GET /items/events/<id>`).
///
/// Query (every parameter optional):
/// - `from=<ISO-8601>`: positions at or after this instant;
/// - `after=<cursor>`: positions after the one the cursor names (a page's `next`), in `(ts, device_id)` order;
/// - `until=<ISO-8601>`: positions before this instant;
/// - `limit=<n>`: at most n positions, n ≥ 1 (default 1,000; more than 5,000 is lowered to 5,000:
///   ``LiveReplayQuery/maxLimit``).
///
/// | case | answer |
/// |---|---|
/// | a page | `200 {"event":"<id>","first":<ts>,"last":<ts>,"positions":[…],"next":<cursor>,"resume":<cursor>}` |
/// | no CMS session / CMS unavailable | `401` / `503`, as the upgrade |
/// | the event is not a UUID, a parameter is malformed | `400 {"error":"bad-request",…}` |
/// | the CMS says the user may not watch the event | `403 {"error":"forbidden",…}` |
/// | the CMS or the database cannot be asked | `503 {"error":"unavailable",…}` |
///
/// `positions` are live positions (CONTRACT §5), non-faulty only, in `(ts, device_id)` order; `first` and `last`
/// are the `ts` of the event's first and last stored non-faulty position (`null` when it has none); `next` is
/// the cursor to pass as `after` for the positions after this page (``LiveReplayPage/more``), `null` when
/// there were none up to `until` (for now). A page may hold fewer than `limit` positions and still have a
/// `next` (the store bounds what one request reads). `resume` is the cursor of the page's last position (the
/// request's `after` when the page is empty; `null` when it had none): passed as `after` later, it asks for
/// the positions stored since, after a page whose `next` was `null` (the replay catching up with a live race).
enum LiveReplayEndpoint {
    /// Answers the request for `uri` (its query is read) about `event` (the path's id, as sent).
    static func answer(
        event: String,
        uri: String,
        cookie: String?,
        authority: any LiveAuthority,
        history: any LivePositionHistory,
        logger: Logger
    ) async -> LiveHTTPAnswer {
        if let refusal = LiveHTTPAnswer.refusal(await authority.authenticate(cookie: cookie)) { return refusal }
        guard let topic = LiveTopic(event: event) else {
            return Self.badRequest("the event id is not a UUID: \(event)")
        }
        let query: LiveReplayQuery
        do {
            query = try Self.query(of: uri)
        } catch {
            return Self.badRequest(error.message)
        }
        switch await authority.authorize(event: topic.event, cookie: cookie) {
        case .allowed: break
        case .forbidden: return Self.forbidden
        case .unavailable: return .unavailable
        }
        let page: LiveReplayPage
        do {
            page = try await history.positions(event: topic.event, query: query)
        } catch {
            logger.warning(
                "cannot read an event's stored positions for a replay",
                metadata: ["event": "\(topic.event)", "error": "\(error)"]
            )
            return Self.databaseUnavailable
        }
        return LiveHTTPAnswer(.ok, body: Self.json(page, event: topic.event, after: query.after))
    }

    /// Why a request's query is not one.
    struct BadQuery: Error {
        var message: String
    }

    /// The query of `uri`'s parameters (see the type's documentation); unknown parameters are ignored.
    static func query(of uri: String) throws(BadQuery) -> LiveReplayQuery {
        var query = LiveReplayQuery()
        let items = URLComponents(string: uri)?.queryItems ?? []
        for item in items {
            let value = item.value ?? ""
            switch item.name {
            case "from":
                query.from = try Self.instant(value, parameter: "from")
            case "until":
                query.until = try Self.instant(value, parameter: "until")
            case "after":
                guard let cursor = LiveReplayQuery.Cursor(text: Substring(value)) else {
                    throw BadQuery(message: "after is not a cursor (a page's next): \(value)")
                }
                query.after = cursor
            case "limit":
                guard let limit = Int(value), limit >= 1 else {
                    throw BadQuery(message: "limit is not a whole number of at least 1: \(value)")
                }
                query.limit = min(limit, LiveReplayQuery.maxLimit)
            default:
                continue
            }
        }
        return query
    }

    private static func instant(_ text: String, parameter: String) throws(BadQuery) -> Int64 {
        do {
            return try Timestamp.parse(text)
        } catch {
            throw BadQuery(message: "\(parameter) is not an ISO-8601 instant (\(error)): \(text)")
        }
    }

    /// The page as JSON (see the type's documentation).
    static func json(_ page: LiveReplayPage, event: String, after: LiveReplayQuery.Cursor?) -> ByteBuffer {
        var body = ByteBuffer()
        body.reserveCapacity(96 + page.positions.count * 160)
        body.writeStaticString("{\"event\":")
        LiveJSON.writeString(event, into: &body)
        body.writeStaticString(",\"first\":")
        Self.writeInstant(page.first, into: &body)
        body.writeStaticString(",\"last\":")
        Self.writeInstant(page.last, into: &body)
        body.writeStaticString(",\"positions\":[")
        for (index, position) in page.positions.enumerated() {
            if index > 0 { body.writeStaticString(",") }
            LiveJSON.writePosition(position, into: &body)
        }
        let resume = page.positions.last.map { LiveReplayQuery.Cursor(timestamp: $0.timestamp, deviceID: $0.deviceID) }
        body.writeStaticString("],\"next\":")
        Self.write(page.more ? resume : nil, into: &body)
        body.writeStaticString(",\"resume\":")
        Self.write(resume ?? after, into: &body)
        body.writeStaticString("}")
        return body
    }

    private static func write(_ cursor: LiveReplayQuery.Cursor?, into body: inout ByteBuffer) {
        if let cursor {
            LiveJSON.writeString(cursor.text, into: &body)
        } else {
            body.writeStaticString("null")
        }
    }

    private static func writeInstant(_ microseconds: Int64?, into body: inout ByteBuffer) {
        guard let microseconds else {
            body.writeStaticString("null")
            return
        }
        LiveJSON.writeString(Timestamp.format(microseconds, precision: .milliseconds), into: &body)
    }

    private static func badRequest(_ message: String) -> LiveHTTPAnswer {
        .error(.badRequest, code: "bad-request", message: message)
    }

    private static let forbidden = LiveHTTPAnswer.error(
        .forbidden,
        code: "forbidden",
        message: "you may not watch this event"
    )

    private static let databaseUnavailable = LiveHTTPAnswer.error(
        .serviceUnavailable,
        code: "unavailable",
        message: "the stored positions cannot be read; try again later"
    )
}
