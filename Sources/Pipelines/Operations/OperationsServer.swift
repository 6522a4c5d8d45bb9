import Flow
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The operations HTTP port (`http.port`): `/metrics`, `/healthz`, `/readyz` and `/tap` (see
/// ``OperationsResponder`` for what each answers), served with Hummingbird as a `Service`.
///
/// ```swift
/// let server = OperationsServer(configuration: .init(port: 0), registry: registry, readiness: readiness)
/// // in a ServiceGroup, or: Task { try await server.run() }
/// let port = try await server.port()  // the bound one, also when 0 was asked for
/// ```
///
/// - Important: ``run()`` may be called once. It serves until a graceful shutdown (which lets requests in
///   flight finish) or cancellation, and throws when it cannot bind its port. No request waits on Redis,
///   PostgreSQL or a pipeline: `/readyz` reads ``Readiness``'s cache, `/metrics` the registry in memory, and
///   `/tap` streams what a stage's tap hands it, never making the pipeline wait.
public final class OperationsServer: Service, Sendable {
    /// Where the server listens.
    public struct Configuration: Sendable, Equatable {
        /// The address to bind. Default: `0.0.0.0` (every interface), for a scraper on another host.
        public var host: String
        /// The TCP port, 0–65535; 0 binds any free port (read it with ``OperationsServer/port()``).
        /// Default: 9090.
        public var port: Int

        public init(host: String = "0.0.0.0", port: Int = 9090) {
            self.host = host
            self.port = port
        }
    }

    public let configuration: Configuration
    private let registry: PrometheusCollectorRegistry
    private let readiness: Readiness
    private let taps: @Sendable () -> [PipelineTaps]
    private let logger: Logger
    private let listening = ListeningPort<OperationsServerError>()

    /// - Parameters:
    ///   - registry: What `/metrics` serves: the one ``PrometheusMetrics/bootstrap()`` returned, or a test's.
    ///   - readiness: What `/readyz` reports; run it as a service of its own.
    ///   - taps: The pipelines running now, whose stages `/tap` can tap (``PipelineSupervisor/taps``).
    public init(
        configuration: Configuration,
        registry: PrometheusCollectorRegistry,
        readiness: Readiness,
        taps: @escaping @Sendable () -> [PipelineTaps] = { [] },
        logger: Logger = Logger(label: "flowrun.operations")
    ) {
        self.configuration = configuration
        self.registry = registry
        self.readiness = readiness
        self.taps = taps
        self.logger = logger
    }

    /// Serves on `configuration.http.port`, every interface.
    public convenience init(
        _ configuration: FlowrunConfiguration,
        registry: PrometheusCollectorRegistry,
        readiness: Readiness,
        taps: @escaping @Sendable () -> [PipelineTaps] = { [] },
        logger: Logger = Logger(label: "flowrun.operations")
    ) {
        self.init(
            configuration: Configuration(port: configuration.http.port),
            registry: registry,
            readiness: readiness,
            taps: taps,
            logger: logger
        )
    }

    /// The port it listens on; waits until it does. Throws once ``run()`` has ended without listening.
    public func port() async throws -> Int {
        try await self.listening.wait()
    }

    /// The port it listens on now; nil before it listens and after it stopped.
    public var currentPort: Int? { self.listening.current }

    public func run() async throws {
        let address = "\(self.configuration.host):\(self.configuration.port)"
        let application = Application(
            responder: OperationsResponder(
                registry: self.registry,
                readiness: self.readiness,
                tap: TapEndpoint(taps: self.taps)
            ),
            configuration: .init(
                address: .hostname(self.configuration.host, port: self.configuration.port),
                serverName: "flowrun"
            ),
            onServerRunning: { [self] channel in
                guard let port = channel.localAddress?.port else { return }
                self.logger.info(
                    "operations HTTP server listening",
                    metadata: [
                        "host": "\(self.configuration.host)", "port": "\(port)",
                        "endpoints": "\(OperationsResponder.endpoints)",
                    ]
                )
                self.listening.listening(on: port)
            },
            logger: self.logger
        )
        do {
            try await application.run()
        } catch {
            let listened = self.listening.current != nil
            self.listening.ended(.stopped("the operations HTTP server on \(address) failed: \(error)"))
            guard !listened else { throw error }
            throw OperationsServerError.stopped(
                "the operations HTTP server cannot listen on \(address) (http.port, HTTP_PORT): \(error)"
            )
        }
        let port = self.listening.current ?? self.configuration.port
        self.listening.ended(.stopped("the operations HTTP server on \(address) has stopped"))
        self.logger.info("operations HTTP server stopped", metadata: ["port": "\(port)"])
    }
}

/// The operations server is not (or no longer) running, or could not start.
public enum OperationsServerError: Error, CustomStringConvertible {
    case stopped(String)

    public var description: String {
        switch self {
        case .stopped(let message): message
        }
    }
}
