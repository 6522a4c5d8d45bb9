import CoreMetrics
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The live WebSocket server (CONTRACT §5): `ws://HOST:PORT/live`, authenticated in the upgrade, fed by
/// ``hub``; on the same port and origin, the live map page at `http://HOST:PORT/` (``LivePage``), the event
/// list it asks for (`GET /events`, ``LiveEventsEndpoint``) and the stored positions its replay reads
/// (`GET /events/<id>/positions`, ``LiveReplayEndpoint``).
///
/// ```swift
/// let server = LiveServer(
///     configuration: .init(port: 8080), authority: cms, snapshots: store, history: store, logger: logger)
/// try await server.start()                   // bound: server.port is known
/// server.hub.publish(position, to: events)   // from the fan-out stage
/// await server.shutdown()                    // clients get close 1001
/// ```
///
/// ``run()`` is the service form: it starts the server if needed and returns once it has shut down; cancelling
/// it shuts the server down.
///
/// - Important: Thread-safe. ``start()`` binds once; ``shutdown()`` stops accepting, sends every connection a
///   close frame with 1001 (going away), waits for them to close (at most the close timeout, then closes
///   them), and can be called any number of times, before or after ``start()``.
public final class LiveServer: Sendable {
    /// The user event that tells each connection's handlers the server is shutting down.
    struct ShutdownEvent {}

    public let configuration: Configuration
    /// Where the pipeline publishes positions.
    public let hub: LiveHub
    private let environment: LiveConnectionEnvironment
    /// The map page's files, with its settings from ``Configuration/mapTiles``.
    private let page: LivePage
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var phase = Phase.idle
        /// Every accepted connection not yet closed, upgraded or not.
        var children: [ObjectIdentifier: any Channel] = [:]
        /// ``LiveServer/waitUntilStopped()`` callers.
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private enum Phase {
        case idle
        case starting
        case running(server: any Channel, port: Int)
        case stopping
        case stopped
    }

    /// - Parameters:
    ///   - authority: asked once per upgrade (who is it?) and per `subscribe` (may they watch the event?).
    ///   - snapshots: read per `subscribe`.
    ///   - history: read per `GET /events/<id>/positions` (the map page's replay).
    ///   - logger: connection opens and closes at info, refusals for an unavailable CMS and slow-client
    ///     closes at warning.
    ///   - eventLoopGroup: the loops connections run on; the server does not shut it down.
    ///   - metricsFactory: where the `flowrun_live_*` metrics go (see ``LiveMetrics``).
    public init(
        configuration: Configuration,
        authority: any LiveAuthority,
        snapshots: any LiveSnapshots,
        history: any LivePositionHistory,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        precondition(configuration.clientQueue >= 1, "client_queue must be at least 1")
        precondition(configuration.slowClientTimeout > .zero, "slow_client_timeout must be positive")
        precondition(configuration.flushDelay >= .zero, "flush_delay must not be negative")
        self.configuration = configuration
        self.page = LivePage.bundled.with(tiles: configuration.mapTiles)
        self.group = eventLoopGroup
        self.logger = logger
        let metrics = LiveMetrics(factory: metricsFactory)
        self.hub = LiveHub(
            eventLoopGroup: eventLoopGroup,
            flushDelay: TimeAmount(configuration.flushDelay),
            metrics: metrics
        )
        self.environment = LiveConnectionEnvironment(
            authority: authority,
            snapshots: snapshots,
            history: history,
            hub: self.hub,
            metrics: metrics,
            logger: logger,
            clientQueue: configuration.clientQueue,
            slowClientTimeout: TimeAmount(configuration.slowClientTimeout),
            closeTimeout: TimeAmount(configuration.closeTimeout),
            maxSubscribesInFlight: configuration.maxSubscribesInFlight,
            maxMessageSize: configuration.maxClientMessageSize
        )
    }

    /// The connections open now (upgraded or still in their HTTP upgrade).
    public var connectionCount: Int {
        self.state.withLock { $0.children.count }
    }

    /// The bound port once ``start()`` has returned, until shutdown; `nil` otherwise.
    public var port: Int? {
        self.state.withLock { state in
            if case .running(_, let port) = state.phase { return port }
            return nil
        }
    }

    /// Binds and starts accepting connections; returns once bound. Throws if binding fails, or if the server
    /// was started or shut down before.
    public func start() async throws {
        try self.state.withLock { state in
            guard case .idle = state.phase else { throw LiveServerError.alreadyStarted }
            state.phase = .starting
        }
        let server: any Channel
        do {
            server = try await self.bootstrap().bind(host: self.configuration.host, port: self.configuration.port)
                .get()
        } catch {
            self.finishStopping()
            throw LiveServerError.bindFailed(
                host: self.configuration.host,
                port: self.configuration.port,
                underlying: "\(error)"
            )
        }
        let port = server.localAddress?.port ?? self.configuration.port
        let started = self.state.withLock { state -> Bool in
            guard case .starting = state.phase else { return false }
            state.phase = .running(server: server, port: port)
            return true
        }
        guard started else {
            // Shut down while binding: the shutdown left the listening channel to this call.
            try? await server.close()
            return
        }
        // The page's address for a person to open: on this machine when the server listens on every interface.
        let pageHost = ["0.0.0.0", "::"].contains(self.configuration.host) ? "127.0.0.1" : self.configuration.host
        self.logger.info(
            "live server listening",
            metadata: [
                "host": "\(self.configuration.host)", "port": "\(port)", "path": "\(LiveWebSocketUpgrader.path)",
                "page": "http://\(pageHost.contains(":") ? "[\(pageHost)]" : pageHost):\(port)/",
            ]
        )
    }

    /// Starts the server unless started, then waits until it has shut down; cancelling the waiting task shuts
    /// it down.
    public func run() async throws {
        let isIdle = self.state.withLock { state in
            if case .idle = state.phase { return true }
            return false
        }
        if isIdle { try await self.start() }
        await withTaskCancellationHandler {
            await self.waitUntilStopped()
        } onCancel: {
            self.triggerShutdown()
        }
    }

    /// Starts a graceful shutdown (see ``shutdown()``) and returns at once; for a synchronous shutdown hook.
    public func triggerShutdown() {
        Task { await self.shutdown() }
    }

    /// Stops accepting, closes every connection with 1001 (going away), and returns once they are closed
    /// (forcing those still open after the close timeout).
    public func shutdown() async {
        enum Action {
            case stop(server: (any Channel)?, children: [any Channel])
            case wait
        }
        let action = self.state.withLock { state -> Action in
            switch state.phase {
            case .idle:
                state.phase = .stopping
                return .stop(server: nil, children: [])
            case .starting:
                state.phase = .stopping
                return .stop(server: nil, children: Array(state.children.values))
            case .running(let server, _):
                state.phase = .stopping
                return .stop(server: server, children: Array(state.children.values))
            case .stopping, .stopped:
                return .wait
            }
        }
        switch action {
        case .wait:
            await self.waitUntilStopped()
        case .stop(let server, let children):
            try? await server?.close()
            await self.closeConnections(children)
            self.finishStopping()
            self.logger.info("live server stopped")
        }
    }

    /// Tells every connection to close with 1001, then waits for them: at most the close timeout and a second,
    /// after which those still open are closed at once.
    private func closeConnections(_ children: [any Channel]) async {
        guard !children.isEmpty else { return }
        for child in children { child.pipeline.fireUserInboundEventTriggered(ShutdownEvent()) }
        let allClosed = EventLoopFuture.andAllComplete(children.map(\.closeFuture), on: self.group.any())
        let limit = self.configuration.closeTimeout + .seconds(1)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await allClosed.get() }
            group.addTask {
                try? await Task.sleep(for: limit)
                guard !Task.isCancelled else { return }
                for child in children { child.close(promise: nil) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func finishStopping() {
        let waiters = self.state.withLock { state in
            state.phase = .stopped
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isStopped = self.state.withLock { state in
                if case .stopped = state.phase { return true }
                state.waiters.append(continuation)
                return false
            }
            if isStopped { continuation.resume() }
        }
    }

    // MARK: Connections

    private func bootstrap() -> ServerBootstrap {
        let waterMark = self.configuration.writeBufferWaterMark
        return ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: waterMark.lowerBound, high: waterMark.upperBound)
            )
            .childChannelInitializer { channel in self.initialize(channel) }
    }

    /// Sets up an accepted connection for the upgrade (or the HTTP answer), unless the server is stopping.
    private func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        let id = ObjectIdentifier(channel)
        let accepted = self.state.withLock { state -> Bool in
            switch state.phase {
            case .starting, .running:
                state.children[id] = channel
                return true
            case .idle, .stopping, .stopped:
                return false
            }
        }
        guard accepted else { return channel.eventLoop.makeFailedFuture(LiveServerError.stopping) }
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.children.removeValue(forKey: id) }
        }
        let environment = self.environment
        let configuration = self.configuration
        let page = self.page
        return channel.eventLoop.makeCompletedFuture {
            let upgradeState = NIOLoopBoundBox(LiveUpgradeState.none, eventLoop: channel.eventLoop)
            let upgrader = LiveWebSocketUpgrader(
                state: upgradeState,
                environment: environment,
                maxFrameSize: configuration.maxClientMessageSize
            )
            let http = LiveHTTPHandler(
                state: upgradeState,
                handshakeTimeout: TimeAmount(configuration.handshakeTimeout),
                page: page,
                authority: environment.authority,
                history: environment.history,
                logger: environment.logger
            )
            let boundHTTP = NIOLoopBound(http, eventLoop: channel.eventLoop)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withServerUpgrade: (
                    upgraders: [upgrader],
                    completionHandler: { context in
                        context.pipeline.syncOperations.removeHandler(boundHTTP.value, promise: nil)
                    }
                )
            )
            try pipeline.addHandler(http)
        }
    }
}
