import Flow
import Foundation
import Hummingbird
import Logging
import Synchronization

/// A stand-in for the race-management CMS (Directus) that answers the calls of CONTRACT §4, for tests,
/// benchmarks and `flowrun cms-stub`.
///
/// Sessions are `directus_session_token=<token>` cookies. By convention (no setup needed):
///
/// | cookie | `GET /users/me?fields=id` | `GET /items/events/<id>?fields=id` |
/// |---|---|---|
/// | `directus_session_token=valid-<anything>` | `200 {"data":{"id":"<token>"}}` | `200` for every event |
/// | `directus_session_token=events-<uuid>+<uuid>` | `200 {"data":{"id":"<token>"}}` | `200` for those events, else `403` |
/// | `directus_session_token=none-<anything>` | `200 {"data":{"id":"<token>"}}` | `403` |
/// | anything else, or no cookie | `200 {"data":null}` | `403` |
///
/// `GET /items/events?fields=id,name` lists the events set with ``setListedEvents(_:)`` that the session may watch,
/// `{"data":[{"id","name"}…]}` (`403` without a session), as Directus lists the items a role may read. `GET /login`
/// (not Directus: a convenience of the stand-in) sets the session cookie `valid-<user>` for a browser and redirects
/// to `next` (see ``router()``).
///
/// An event that does not exist answers `404` (to a signed-in user): every UUID exists unless
/// ``setEvents(_:)`` names the ones that do. ``addSession(token:user:access:)`` sets up sessions in code (they win
/// over the convention), ``setBehavior(_:for:)`` makes an endpoint fail or hang, and ``requests`` records what
/// was asked, with the `Cookie` header as received.
///
/// Lifecycle: ``run()`` serves until ``shutdown()`` is called or its task is cancelled (or, inside a
/// `ServiceGroup`, until the group shuts down gracefully); ``port()`` waits until it listens.
///
/// - Important: ``run()`` may be called once. The setup methods may be called from any task at any time; a
///   request sees the setup of the moment it arrives.
public final class CMSStub: Sendable {
    /// The cookie that carries the session, as Directus names it.
    public static let sessionCookie = "directus_session_token"

    /// The address the server binds.
    public let host: String
    /// The port asked for; 0 binds any free port (``port()`` says which).
    public let requestedPort: Int
    /// The path the API is served under, e.g. `/cms` (empty: the root).
    public let basePath: String
    let logger: Logger
    let state = Mutex(CMSStubState())
    private let listening = ListeningPort<CMSStubError>()
    private let stopSignal = AsyncStream.makeStream(of: Void.self)

    /// - Parameters:
    ///   - host: The address to bind. Default: `127.0.0.1`.
    ///   - port: The port to bind; 0 (the default) binds any free port.
    ///   - basePath: Serve the API under this path, e.g. `/cms`, as a reverse proxy would. Default: the root.
    ///   - logger: The server's log (requests at debug). Default: label `cms-stub`.
    public init(host: String = "127.0.0.1", port: Int = 0, basePath: String = "", logger: Logger? = nil) {
        self.host = host
        self.requestedPort = port
        let trimmed = basePath.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        self.basePath = trimmed.isEmpty ? "" : "/" + trimmed
        self.logger = logger ?? Logger(label: "cms-stub")
    }

    // MARK: - Lifecycle

    /// Serves until ``shutdown()`` is called or the calling task is cancelled; throws when the server cannot
    /// start (e.g. the port is taken). Requests still running (a ``CMSBehavior/hang(_:)``) are cut off.
    public func run() async throws {
        let application = Application(
            router: self.router(),
            configuration: .init(address: .hostname(self.host, port: self.requestedPort), serverName: "cms-stub"),
            onServerRunning: { [self] channel in self.listened(port: channel.localAddress?.port) },
            logger: self.logger
        )
        let stopRequests = self.stopSignal.stream
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.run() }
                group.addTask { for await _ in stopRequests {} }
                // The first to end (the server, failing or shut down gracefully, or a stop request) ends both.
                try await group.next()
                group.cancelAll()
            }
        } catch {
            self.ended(.notRunning("the CMS stub on \(self.host):\(self.requestedPort) failed: \(error)"))
            throw error
        }
        self.ended(.notRunning("the CMS stub on \(self.host):\(self.requestedPort) has stopped"))
    }

    /// Stops a running ``run()`` at once (or makes a later one return at once): the server is cancelled and
    /// requests in flight are cut off (Hummingbird logs the cut connections). Run inside a `ServiceGroup`,
    /// the group's graceful shutdown reaches the server instead, which then finishes the requests in flight.
    public func shutdown() {
        self.stopSignal.continuation.finish()
    }

    /// The port the server listens on; waits until it listens. Throws when ``run()`` ended first.
    public func port() async throws -> Int {
        try await self.listening.wait()
    }

    /// `http://<host>:<port><basePath>`: what a ``CMSClient`` is configured with. Waits until it listens.
    public func baseURL() async throws -> URL {
        let port = try await self.port()
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return URL(string: "http://\(host):\(port)\(self.basePath)")!
    }

    private func listened(port: Int?) {
        guard let port else { return }
        self.listening.listening(on: port)
    }

    private func ended(_ error: CMSStubError) {
        self.listening.ended(error)
    }

    // MARK: - Setup

    /// Makes `token` a session of `user` with `access` (replacing any session of that token).
    public func addSession(token: String, user: String, access: CMSAccess) {
        self.state.withLock { $0.sessions[token] = CMSSession(user: user, access: access) }
    }

    /// Ends a session set up with ``addSession(token:user:access:)`` (the token conventions still apply).
    public func removeSession(token: String) {
        _ = self.state.withLock { $0.sessions.removeValue(forKey: token) }
    }

    /// The events `GET /items/events` lists, each to the sessions that may watch it (default: none). They are
    /// listed whether or not ``setEvents(_:)`` names them.
    public func setListedEvents(_ events: [CMSListedEvent]) {
        self.state.withLock { $0.listed = events }
    }

    /// The events that exist (others answer `404`); nil (the default): every UUID is an event that exists.
    public func setEvents(_ events: Set<String>?) {
        self.state.withLock { $0.events = events.map { Set($0.map { $0.lowercased() }) } }
    }

    /// How the given endpoints answer from now on (default: all of them).
    public func setBehavior(_ behavior: CMSBehavior, for endpoints: Set<CMSEndpoint> = Set(CMSEndpoint.allCases)) {
        self.state.withLock { state in
            for endpoint in endpoints { state.behaviors[endpoint] = behavior }
        }
    }

    /// The requests received so far, oldest first (the most recent 500 to 1000 are kept).
    public var requests: [CMSRecordedRequest] {
        self.state.withLock { $0.requests }
    }

    /// The `Cookie` header of the last request, exactly as received (nil when it had none).
    public var lastCookie: String? {
        self.state.withLock { $0.requests.last?.cookie }
    }

    /// Forgets the recorded requests.
    public func clearRequests() {
        self.state.withLock { $0.requests.removeAll() }
    }
}

/// The stub is not (or no longer) running.
public enum CMSStubError: Error, CustomStringConvertible {
    case notRunning(String)

    public var description: String {
        switch self {
        case .notRunning(let message): message
        }
    }
}
