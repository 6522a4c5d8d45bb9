import NIOCore
import NIOHTTP1

/// A JSON answer of one of the live port's HTTP endpoints (`GET /events`, ``LiveEventsEndpoint``;
/// `GET /events/<id>/positions`, ``LiveReplayEndpoint``): its status and body.
///
/// An error is `{"error":"<code>","message":"…"}`, with the codes of CONTRACT §5 where one applies.
struct LiveHTTPAnswer: Sendable {
    var status: HTTPResponseStatus
    var body: ByteBuffer

    init(_ status: HTTPResponseStatus, body: ByteBuffer) {
        self.status = status
        self.body = body
    }

    init(_ status: HTTPResponseStatus, json: String) {
        self.init(status, body: ByteBuffer(string: json))
    }

    /// `{"error":code,"message":message}`.
    static func error(_ status: HTTPResponseStatus, code: String, message: String) -> LiveHTTPAnswer {
        var body = ByteBuffer()
        body.writeStaticString("{\"error\":")
        LiveJSON.writeString(code, into: &body)
        body.writeStaticString(",\"message\":")
        LiveJSON.writeString(message, into: &body)
        body.writeStaticString("}")
        return LiveHTTPAnswer(status, body: body)
    }

    /// 401: no CMS session.
    static let notAuthenticated = Self.error(.unauthorized, code: "not-authenticated", message: "sign in to the CMS")
    /// 503: the CMS could not be asked.
    static let unavailable = Self.error(.serviceUnavailable, code: "unavailable", message: "the CMS is unavailable")

    /// The answer an upgrade of `/live` gets for `authentication` (CONTRACT §5): nil for a user (go on), 401
    /// for nobody, 503 when the CMS could not be asked. Every endpoint asks this first, so its status for a
    /// cookie is the upgrade's.
    static func refusal(_ authentication: LiveAuthentication) -> LiveHTTPAnswer? {
        switch authentication {
        case .user: nil
        case .notAuthenticated: .notAuthenticated
        case .unavailable: .unavailable
        }
    }
}
