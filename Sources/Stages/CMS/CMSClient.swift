import AsyncHTTPClient
import CoreMetrics
import Foundation
import Logging
import NIOCore
import Synchronization

/// Asks the race-management CMS (Directus) who a browser is and which events it may watch (CONTRACT §4).
///
/// | call | answer |
/// |---|---|
/// | `GET <base>/users/me?fields=id` | `200 {"data":{"id":…}}` → `.user`; `200 {"data":null}`, `401`, `403` → `.notAuthenticated` |
/// | `GET <base>/items/events/<id>?fields=id` | `200 {"data":{…}}` → `.allowed`; `401`, `403`, `404`, `200 {"data":null}` → `.forbidden` |
/// | `GET <base>/items/events?fields=id,name&limit=-1` | `200 {"data":[{"id","name"}…]}` → `.events`; `401`, `403` → `.events([])` |
///
/// Anything else — another status, a body that is not such JSON, a connection error, no answer within
/// ``Configuration/timeout`` — is `.unavailable`, with a reason naming the URL and what happened, logged at
/// warning. Each request forwards the browser's `Cookie` header verbatim; without a cookie nobody is
/// authenticated and the CMS is not asked.
///
/// Metric: `flowrun_cms_request_seconds{call="users_me"|"event"|"events", outcome="ok"|"denied"|"unavailable"}`.
///
/// - Important: "not authenticated" and "forbidden" are answers the CMS gave; a CMS that could not be asked is
///   never reported as one of them (the live server answers 503 / `unavailable`, not 401 / `forbidden`).
public final class CMSClient: LiveAuthority {
    public struct Configuration: Sendable {
        /// The CMS's URL, e.g. `http://127.0.0.1:8055`; a path (`http://host/cms`) is kept as the API's base.
        public var baseURL: URL
        /// How long one request may take, from sending it to the whole body received. Default: 2 s.
        public var timeout: Duration
        /// The largest body read; a larger one is an unavailable CMS. Default: 64 KiB.
        public var maximumBodyBytes: Int

        /// The timeout unless one is given: 2 s (`pipelines.live-broadcast.cms_timeout` defaults to it).
        public static let defaultTimeout: Duration = .seconds(2)

        public init(baseURL: URL, timeout: Duration = Self.defaultTimeout, maximumBodyBytes: Int = 64 * 1024) {
            self.baseURL = baseURL
            self.timeout = timeout
            self.maximumBodyBytes = maximumBodyBytes
        }
    }

    public let configuration: Configuration
    /// The client given to ``init(configuration:httpClient:logger:metricsFactory:)``, if any.
    private let givenClient: HTTPClient?
    /// The client this one made, at its first request (so that a `CMSClient` never used needs no
    /// ``shutdown()``: AsyncHTTPClient insists that every client it made is shut down).
    private let ownClient = Mutex<HTTPClient?>(nil)
    let logger: Logger
    let metrics: CMSMetrics
    /// `baseURL` as text without a trailing `/`.
    let base: String

    /// - Parameters:
    ///   - httpClient: The client to send with; nil (the default) makes one that this client owns and
    ///     ``shutdown()`` shuts down: no redirects followed, connect and read timeouts of `timeout`, a refused
    ///     connection not retried. A given client is left to its owner; its read timeout then bounds a body
    ///     that stalls after the head.
    public init(
        configuration: Configuration,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "flowrun.cms"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        self.givenClient = httpClient
        self.logger = logger
        self.metrics = CMSMetrics(factory: metricsFactory)
        var base = configuration.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
    }

    /// Shuts the HTTP client down if this client made it; call once, after the last request.
    public func shutdown() async throws {
        if let own = self.ownClient.withLock({ $0 }) { try await own.shutdown() }
    }

    /// The client to send with: the given one, or this one's own, made now if it is the first request.
    private var http: HTTPClient {
        if let given = self.givenClient { return given }
        return self.ownClient.withLock { own in
            if let own { return own }
            let timeout = TimeAmount(self.configuration.timeout)
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: timeout, read: timeout)
            )
            // A refused connection is an unavailable CMS now, not after retrying until the timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            own = made
            return made
        }
    }

    public func authenticate(cookie: String?) async -> LiveAuthentication {
        guard let cookie, !cookie.isEmpty else { return .notAuthenticated }
        let url = self.base + "/users/me?fields=id"
        let start = ContinuousClock.now
        let answer: LiveAuthentication
        switch await self.get(url, cookie: cookie) {
        case .failed(let reason):
            answer = .unavailable(reason: reason)
        case .answered(401, _), .answered(403, _):
            answer = .notAuthenticated
        case .answered(200, let body):
            switch CMSData(json: body) {
            case .null: answer = .notAuthenticated
            case .object(let id?): answer = .user(id: id)
            case .object(nil), .malformed:
                answer = .unavailable(reason: Self.unexpected(url, 200, #"{"data": {"id": "…"}} or {"data": null}"#))
            }
        case .answered(let status, _):
            answer = .unavailable(reason: Self.unexpected(url, status, nil))
        }
        let outcome: CMSOutcome
        switch answer {
        case .user: outcome = .ok
        case .notAuthenticated: outcome = .denied
        case .unavailable(let reason):
            outcome = .unavailable
            self.logger.warning(
                "cannot ask the CMS who the user is",
                metadata: ["url": "\(url)", "reason": "\(reason)"]
            )
        }
        self.metrics.record(.usersMe, outcome, start.duration(to: .now))
        return answer
    }

    public func authorize(event: String, cookie: String?) async -> LiveAuthorization {
        let segment = event.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? event
        let url = self.base + "/items/events/\(segment)?fields=id"
        let start = ContinuousClock.now
        let answer: LiveAuthorization
        switch await self.get(url, cookie: cookie) {
        case .failed(let reason):
            answer = .unavailable(reason: reason)
        case .answered(401, _), .answered(403, _), .answered(404, _):
            answer = .forbidden
        case .answered(200, let body):
            switch CMSData(json: body) {
            case .null: answer = .forbidden
            case .object: answer = .allowed
            case .malformed:
                answer = .unavailable(reason: Self.unexpected(url, 200, #"{"data": {…}} or {"data": null}"#))
            }
        case .answered(let status, _):
            answer = .unavailable(reason: Self.unexpected(url, status, nil))
        }
        let outcome: CMSOutcome
        switch answer {
        case .allowed: outcome = .ok
        case .forbidden: outcome = .denied
        case .unavailable(let reason):
            outcome = .unavailable
            self.logger.warning(
                "cannot ask the CMS whether the user may watch the event",
                metadata: ["url": "\(url)", "event": "\(event)", "reason": "\(reason)"]
            )
        }
        self.metrics.record(.event, outcome, start.duration(to: .now))
        return answer
    }

    // MARK: - Internals

    /// `GET url` with the cookie (when there is one); the status and whole body, or why there is none.
    func get(_ url: String, cookie: String?) async -> CMSReply {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let deadline = NIODeadline.now() + TimeAmount(self.configuration.timeout)
        do {
            let response = try await self.http.execute(request, deadline: deadline, logger: self.logger)
            let body = try await response.body.collect(upTo: self.configuration.maximumBodyBytes)
            return .answered(status: Int(response.status.code), body: Array(body.readableBytesView))
        } catch let error as HTTPClientError
            where [.deadlineExceeded, .readTimeout, .connectTimeout, .getConnectionFromPoolTimeout].contains(error)
        {
            return .failed("GET \(url): no answer within \(self.configuration.timeout) (\(error))")
        } catch is NIOTooManyBytesError {
            return .failed("GET \(url): the body is larger than \(self.configuration.maximumBodyBytes) bytes")
        } catch {
            return .failed("GET \(url): \(error)")
        }
    }

    static func unexpected(_ url: String, _ status: Int, _ expected: String?) -> String {
        if let expected { return "GET \(url): answered \(status) with a body that is not \(expected)" }
        return "GET \(url): answered HTTP \(status), which CONTRACT §4 does not define"
    }

    /// RFC 3986 unreserved characters: an event id is one path segment, whatever it holds.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
}
