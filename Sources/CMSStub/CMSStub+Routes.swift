import Foundation
import Hummingbird

extension CMSStub {
    /// `GET <basePath>/users/me`, `GET <basePath>/items/events/:id`, `GET <basePath>/items/events` and
    /// `GET <basePath>/login`; anything else is a `404`.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let api = router.group(RouterPath(self.basePath))
        api.get("users/me") { request, _ in
            try await self.answer(.usersMe, request) { session in
                guard let session else { return .json(200, #"{"data":null}"#) }
                return .json(200, Self.dataWithID(session.user))
            }
        }
        api.get("items/events/:id") { request, context in
            let event = try context.parameters.require("id")
            return try await self.answer(.event, request) { session in
                guard let session else { return .forbidden }
                guard self.state.withLock({ $0.exists(event: event) }) else { return .notFound }
                return session.access.allows(event) ? .json(200, Self.dataWithID(event)) : .forbidden
            }
        }
        api.get("items/events") { request, _ in
            try await self.answer(.events, request) { session in
                guard let session else { return .forbidden }
                let listed = self.state.withLock { $0.listed }.filter { session.access.allows($0.id) }
                return .json(200, Self.dataList(listed))
            }
        }
        api.get("login") { request, _ in Self.login(request) }
        return router
    }

    /// `GET /login?user=<name>&next=<url>`: sets the cookie `directus_session_token=valid-<name>` (default name
    /// `demo`: a user who may watch every event) for the whole host, then redirects (303) to `next` when it is
    /// an `http://` URL or a path, else answers 200. Not a Directus call: it stands in for signing in to the
    /// CMS, so that a browser opening the map page has a session (cookies are per host, not per port).
    private static func login(_ request: Request) -> Response {
        let user = request.uri.queryParameters["user"].map(String.init) ?? "demo"
        let safe = user.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" }
        guard safe, !user.isEmpty else { return .json(400, #"{"errors":[{"message":"user: letters, digits, -"}]}"#) }
        let cookie = "\(Self.sessionCookie)=valid-\(user); Path=/; SameSite=Lax"
        if let next = request.uri.queryParameters["next"].map(String.init),
            next.hasPrefix("http://") || next.hasPrefix("https://") || next.hasPrefix("/")
        {
            return Response(status: .seeOther, headers: [.setCookie: cookie, .location: next])
        }
        return Response(
            status: .ok,
            headers: [.setCookie: cookie, .contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: "signed in as valid-\(user)\n"))
        )
    }

    /// Records the request, then answers as the endpoint's behaviour says; `normal` answers from the session
    /// the request's cookie names.
    private func answer(
        _ endpoint: CMSEndpoint,
        _ request: Request,
        normal: (CMSSession?) -> Response
    ) async throws -> Response {
        let cookies = request.headers[values: .cookie]
        let token = request.cookies[Self.sessionCookie]?.value
        let (behavior, session) = self.state.withLock { state in
            state.record(
                CMSRecordedRequest(
                    endpoint: endpoint,
                    uri: request.uri.description,
                    cookie: cookies.isEmpty ? nil : cookies.joined(separator: "; ")
                )
            )
            return (state.behaviors[endpoint] ?? .normal, state.session(token: token))
        }
        switch behavior {
        case .normal:
            return normal(session)
        case .respond(let status, let body):
            return .json(status, body)
        case .hang(let duration):
            // Cancelled (and the response dropped) when the stub stops.
            try await Task.sleep(for: duration)
            return normal(self.state.withLock { $0.session(token: token) })
        }
    }

    private static func dataList(_ events: [CMSListedEvent]) -> String {
        let items = events.map { ListedItem(id: $0.id, name: $0.name) }
        let data = try! JSONEncoder().encode(["data": items])
        return String(decoding: data, as: UTF8.self)
    }

    /// An item of `GET /items/events`; `name` is encoded as null when absent, as Directus does.
    private struct ListedItem: Encodable {
        var id: String
        var name: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.id, forKey: .id)
            try container.encode(self.name, forKey: .name)
        }

        private enum CodingKeys: String, CodingKey { case id, name }
    }

    private static func dataWithID(_ id: String) -> String {
        let data = try! JSONEncoder().encode(["data": ["id": id]])
        return String(decoding: data, as: UTF8.self)
    }
}

extension Response {
    fileprivate static func json(_ status: Int, _ body: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// What Directus answers when the role may not read the item.
    fileprivate static let forbidden = Response.json(
        403,
        #"{"errors":[{"message":"You don't have permission to access this.","extensions":{"code":"FORBIDDEN"}}]}"#
    )

    fileprivate static let notFound = Response.json(
        404,
        #"{"errors":[{"message":"Item does not exist.","extensions":{"code":"NOT_FOUND"}}]}"#
    )
}
