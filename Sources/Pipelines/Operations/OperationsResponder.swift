import Flow
import Hummingbird
import Prometheus

/// The operations endpoints, answered without waiting on anything but the process's own memory:
///
/// | request | answer |
/// |---|---|
/// | `GET /metrics` | 200, Prometheus text (format 0.0.4) of the registry, with `# HELP` lines |
/// | `GET /healthz` | 200 `ok` while the process serves |
/// | `GET /readyz` | 200 or 503 with ``ReadinessReport/json`` (the cached checks) |
/// | `GET /tap?pipeline=P&stage=S…` | 200, the items leaving a running stage as JSON lines (``TapEndpoint``) |
/// | another method on one of those | 405, `Allow: GET, HEAD` (`/tap`: `GET`) |
/// | any other path | 404 naming the endpoints |
///
/// `HEAD` is answered as `GET` without the body (not on `/tap`, which would subscribe).
struct OperationsResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"
    static let endpoints = "/metrics, /healthz, /readyz, /tap"

    let registry: PrometheusCollectorRegistry
    let readiness: Readiness
    let tap: TapEndpoint

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        guard ["/metrics", "/healthz", "/readyz", "/tap"].contains(path) else {
            return Self.text(.notFound, "not found: \(path); the endpoints are \(Self.endpoints)\n", head: request)
        }
        if path == "/tap" {
            guard request.method == .get else {
                var response = Self.text(.methodNotAllowed, "/tap answers GET only\n", head: request)
                response.headers[.allow] = "GET"
                return response
            }
            return self.tap.respond(to: request)
        }
        guard request.method == .get || request.method == .head else {
            var response = Self.text(.methodNotAllowed, "\(path) answers GET only\n", head: request)
            response.headers[.allow] = "GET, HEAD"
            return response
        }
        switch path {
        case "/metrics":
            return Self.response(
                .ok,
                Self.prometheusContentType,
                MetricsExposition.render(self.registry),
                head: request
            )
        case "/healthz":
            return Self.text(.ok, "ok\n", head: request)
        default:
            let report = self.readiness.report
            return Self.response(
                report.isReady ? .ok : .serviceUnavailable,
                "application/json",
                Array((report.json + "\n").utf8),
                head: request
            )
        }
    }

    private static func text(_ status: HTTPResponse.Status, _ text: String, head request: Request) -> Response {
        Self.response(status, "text/plain; charset=utf-8", Array(text.utf8), head: request)
    }

    /// A complete answer, not cached; without its body when `request` is a `HEAD`.
    static func response(
        _ status: HTTPResponse.Status,
        _ contentType: String,
        _ body: [UInt8],
        head request: Request? = nil
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        let response = Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        return request?.method == .head ? response.createHeadResponse() : response
    }
}
