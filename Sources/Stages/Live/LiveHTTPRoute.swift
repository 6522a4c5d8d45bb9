import NIOHTTP1

/// What a plain HTTP request to the live port asks for (an upgrade of `/live` never gets here).
///
/// | request | route |
/// |---|---|
/// | `GET /` , `GET /events/<id>` | ``page`` (the map's HTML; the page reads the event from its URL) |
/// | `GET /map/<name>` | ``file(_:)`` (its CSS and JavaScript) |
/// | `GET /events` | ``events`` (the events the cookie's user may watch, JSON) |
/// | `GET /events/<id>/positions` | ``positions(event:)`` (a page of the event's stored positions, JSON) |
/// | `/live` without an upgrade | ``live`` |
/// | another method on those | ``methodNotAllowed`` |
/// | anything else | ``notFound`` |
///
/// `HEAD` is answered like `GET`, without the body.
enum LiveHTTPRoute: Equatable {
    case page
    case file(String)
    case events
    case positions(event: String)
    case live
    case methodNotAllowed
    case notFound

    /// The prefix the page's files are served under.
    static let filePrefix = "/map/"
    /// What follows an event's id in the path of its stored positions.
    static let positionsSuffix = "/positions"

    init(method: HTTPMethod, uri: String) {
        let path = LiveWebSocketUpgrader.requestPath(uri)
        let route: LiveHTTPRoute
        if path == LiveWebSocketUpgrader.path {
            self = .live
            return
        } else if path == "/" {
            route = .page
        } else if path == "/events" {
            route = .events
        } else if path.hasPrefix("/events/"), !path.dropFirst("/events/".count).contains("/") {
            route = .page
        } else if path.hasPrefix("/events/"), path.hasSuffix(Self.positionsSuffix),
            case let event = path.dropFirst("/events/".count).dropLast(Self.positionsSuffix.count),
            !event.isEmpty, !event.contains("/")
        {
            route = .positions(event: String(event))
        } else if path.hasPrefix(Self.filePrefix) {
            let name = path.dropFirst(Self.filePrefix.count)
            guard !name.isEmpty, !name.contains("/") else {
                self = .notFound
                return
            }
            route = .file(String(name))
        } else {
            self = .notFound
            return
        }
        self = method == .GET || method == .HEAD ? route : .methodNotAllowed
    }
}
