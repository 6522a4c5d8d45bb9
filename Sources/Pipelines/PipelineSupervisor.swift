import Flow
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the pipelines a configuration enables, and changes them to match a new configuration without
/// restarting the process: a pipeline newly enabled starts, one disabled drains and stops, one whose
/// settings changed drains and starts again with the new ones (``apply(_:)``, called on SIGHUP).
///
/// Each pipeline runs in a service group of its own, so that it can be drained alone. A graceful shutdown of
/// the supervisor drains every pipeline; it returns when all have stopped.
///
/// - Important: A pipeline that fails (throws) ends the supervisor with its error — the process exits
///   non-zero and says why — except while it drains, when its error is logged. A drain that exceeds
///   `shutdown.drain_timeout` is logged with what it abandoned; during shutdown it also ends the supervisor
///   with ``DrainDeadlineExceeded``, so the process exits non-zero. A drain never acknowledges what was not
///   stored (see each pipeline), so stopping one is always safe.
public final class PipelineSupervisor: Service, Sendable {
    /// What ``PipelineSupervisor`` knows of one running pipeline.
    public struct Running: Sendable {
        public let name: String
        public let service: any RegisteredPipeline
        /// The configuration it runs with, to tell whether a new one changes it.
        let fingerprint: String
        let group: ServiceGroup
        let task: Task<Void, any Error>
    }

    private let flow: PipelineConfiguration
    private let logger: Logger
    private let readiness: Readiness?
    private let state:
        Mutex<
            (running: [String: Running], draining: Set<String>, failure: (any Error)?, shuttingDown: Bool)
        >
    private let initial: FlowrunConfiguration
    private let changes = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// - Parameter readiness: told each pipeline's state (starting, running, draining, stopped, failed), for
    ///   `/readyz`; a pipeline a reload disables is removed from it.
    public init(configuration: FlowrunConfiguration, flow: PipelineConfiguration, readiness: Readiness? = nil) {
        self.initial = configuration
        self.flow = flow
        self.logger = flow.logger
        self.readiness = readiness
        self.state = Mutex(([:], [], nil, false))
    }

    /// The pipelines running now (for the progress line).
    public var running: [Running] {
        self.state.withLock { state in state.running.values.sorted { $0.name < $1.name } }
    }

    /// What stopping now, without finishing the drains, leaves undone: each running pipeline's
    /// ``RegisteredPipeline/abandonedIfStoppedNow``.
    public var abandonedIfStoppedNow: String {
        let running = self.running
        guard !running.isEmpty else { return "nothing (no pipeline is running)" }
        return running.map { "\($0.name): \($0.service.abandonedIfStoppedNow)" }.joined(separator: "; ")
    }

    /// The tap points of the pipelines running now, in the registry's order (for `/tap`).
    public var taps: [PipelineTaps] {
        let running = self.state.withLock { $0.running }
        return PipelineRegistry.names.compactMap { running[$0]?.service.pipeline.taps }
    }

    public func run() async throws {
        try await self.apply(self.initial)
        await withGracefulShutdownHandler {
            // Wakes on every pipeline's end; returns once a pipeline failed, or on shutdown.
            for await _ in self.changes.stream {
                if self.state.withLock({ $0.failure != nil }) { break }
            }
        } onGracefulShutdown: {
            // From now on a reload starts nothing.
            self.state.withLock { $0.shuttingDown = true }
            self.changes.continuation.finish()
        }
        self.state.withLock { $0.shuttingDown = true }
        let abandoned = await withTaskGroup(of: DrainDeadlineExceeded.Abandonment?.self) { group in
            for running in self.running {
                group.addTask { await self.stop(running, reason: "shutting down") }
            }
            var abandoned: [DrainDeadlineExceeded.Abandonment] = []
            for await stopped in group { if let stopped { abandoned.append(stopped) } }
            return abandoned
        }
        if let failure = self.state.withLock({ $0.failure }) { throw failure }
        if !abandoned.isEmpty { throw DrainDeadlineExceeded(pipelines: abandoned.sorted { $0.pipeline < $1.pipeline }) }
    }

    /// Starts, stops and restarts pipelines so that exactly those `configuration` enables run, with its
    /// settings. Throws when a pipeline cannot be built (its connections' URLs), leaving the others as
    /// they were.
    public func apply(_ configuration: FlowrunConfiguration) async throws {
        let wanted = Self.pipelines(of: configuration)
        for running in self.running {
            if let fingerprint = wanted[running.name], fingerprint == running.fingerprint { continue }
            let disabled = wanted[running.name] == nil
            // A drain past its deadline is logged by `stop`; the process goes on with the new configuration.
            _ = await self.stop(running, reason: disabled ? "disabled" : "its settings changed", disabled: disabled)
        }
        let runningNames = Set(self.running.map(\.name))
        for name in PipelineRegistry.names where wanted[name] != nil && !runningNames.contains(name) {
            if self.state.withLock({ $0.shuttingDown }) { return }
            try self.start(name, configuration: configuration, fingerprint: wanted[name]!)
        }
    }

    /// Enabled pipeline name → a fingerprint of what it runs with.
    static func pipelines(of configuration: FlowrunConfiguration) -> [String: String] {
        var pipelines: [String: String] = [:]
        for name in PipelineRegistry.names where PipelineRegistry.isEnabled(name, in: configuration) {
            pipelines[name] = PipelineRegistry.fingerprint(of: name, in: configuration)
        }
        return pipelines
    }

    private func start(_ name: String, configuration: FlowrunConfiguration, fingerprint: String) throws {
        var flow = self.flow
        flow.drainTimeout = configuration.shutdown.drainTimeout
        let service = try PipelineRegistry.make(name, configuration: configuration, flow: flow)
        var metadata: Logger.Metadata = ["pipeline": "\(name)"]
        for (key, value) in PipelineRegistry.summary(of: name, in: configuration) { metadata[key] = "\(value)" }
        self.logger.info("pipeline starting", metadata: metadata)
        var tracked: any Service = service
        if let readiness = self.readiness {
            // live-broadcast is running once its WebSocket port is bound; durable-write once it runs.
            var runningWhen: (@Sendable () -> Bool)?
            if let live = service as? LiveBroadcast {
                runningWhen = { live.server.port != nil }
            }
            tracked = TrackedPipeline(service, name: name, readiness: readiness, runningWhen: runningWhen)
        }
        let group = ServiceGroup(services: [tracked], logger: self.logger)
        let task = Task {
            do {
                try await group.run()
                self.ended(name, failure: nil)
            } catch {
                self.ended(name, failure: error)
                throw error
            }
        }
        self.state.withLock { state in
            state.running[name] = Running(
                name: name,
                service: service,
                fingerprint: fingerprint,
                group: group,
                task: task
            )
        }
    }

    /// Drains `running`; `disabled`: it is no longer wanted, so `/readyz` forgets it. Returns what it
    /// abandoned when its drain exceeded the deadline (and logs it).
    private func stop(
        _ running: Running,
        reason: String,
        disabled: Bool = false
    ) async -> DrainDeadlineExceeded.Abandonment? {
        let stillRunning = self.state.withLock { state in
            guard state.running[running.name] != nil else { return false }
            state.draining.insert(running.name)
            return true
        }
        guard stillRunning else { return nil }
        self.logger.info("pipeline draining", metadata: ["pipeline": "\(running.name)", "reason": "\(reason)"])
        await running.group.triggerGracefulShutdown()
        var abandoned: DrainDeadlineExceeded.Abandonment?
        if case .failure(let error) = await running.task.result {
            // Read once the pipeline's run has returned: nothing of it is in flight any more.
            abandoned = DrainDeadlineExceeded.Abandonment(error, of: running.service)
        }
        self.state.withLock { state in
            state.running[running.name] = nil
            state.draining.remove(running.name)
        }
        if disabled { self.readiness?.remove(running.name) }
        if let abandoned {
            self.logger.error("\(abandoned)", metadata: ["pipeline": "\(running.name)"])
        } else {
            self.logger.info("pipeline stopped", metadata: ["pipeline": "\(running.name)"])
        }
        return abandoned
    }

    /// A pipeline's group ended: drained (as asked), or failed.
    private func ended(_ name: String, failure: (any Error)?) {
        self.state.withLock { state in
            let draining = state.draining.contains(name)
            if let failure, !draining, state.failure == nil { state.failure = failure }
            if !draining { state.running[name] = nil }
        }
        if let failure {
            if case .drainTimedOut? = failure as? PipelineError {
                // `stop` tells it, with what was abandoned.
            } else {
                self.logger.error("pipeline failed", metadata: ["pipeline": "\(name)", "error": "\(failure)"])
            }
        }
        self.changes.continuation.yield()
    }
}
