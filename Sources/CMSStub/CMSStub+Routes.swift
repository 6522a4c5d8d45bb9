import Foundation
import Hummingbird

extension CMSStub {
    /// `GET <basePath>/users/me` and `GET <basePath>/items/events/:id`; anything else is a `404`.
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
        return router
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
