import CoreMetrics
import Flow
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the pipelines a configuration enables, keeps them running, and changes them to match a new
/// configuration without restarting the process: a pipeline newly enabled starts, one disabled drains and
/// stops, one whose settings changed drains and starts again with the new ones (``apply(_:)``, on SIGHUP).
///
/// Pipelines are isolated: each runs in a service group of its own, and one that fails (its run throws: the
/// CMS's tables are missing, PostgreSQL is away at start, its port is taken) is started again after a backoff
/// (1 s, doubling up to a minute; starting over after a minute of running) while the others keep running. It
/// is reported meanwhile by `/readyz` (failed, restarting in …), the log, `flowrun top` and the metrics
/// `flowrun_pipeline_running{pipeline}` and `flowrun_pipeline_restarts_total{pipeline}`. Only a configuration
/// that cannot be used at start (a pipeline that cannot be built) ends the supervisor with an error.
///
/// What happens when is decided by ``PipelineSupervisorStateMachine``; this type carries its actions out.
///
/// - Important: A graceful shutdown drains every pipeline and returns when all have stopped. A drain that
///   exceeds `shutdown.drain_timeout` is logged with what it abandoned; during shutdown it also ends the
///   supervisor with ``DrainDeadlineExceeded``, so the process exits non-zero. A drain never acknowledges
///   what was not stored (see each pipeline), so stopping one is always safe.
public final class PipelineSupervisor: Service, Sendable {
    /// One running pipeline.
    public struct Running: Sendable {
        public let name: String
        public let service: any PipelineKind
        let group: ServiceGroup
    }

    private struct State {
        var machine: PipelineSupervisorStateMachine
        var configuration: FlowrunConfiguration
        var running: [String: Running] = [:]
        var restartTimers: [String: Task<Void, Never>] = [:]
        var abandoned: [DrainDeadlineExceeded.Abandonment] = []
    }

    private let flow: PipelineConfiguration
    private let logger: Logger
    private let readiness: Readiness?
    private let state: Mutex<State>
    private let finished = SetOnce<Void>()

    /// - Parameters:
    ///   - readiness: told each pipeline's state (starting, running, draining, stopped, failed), for
    ///     `/readyz`; a pipeline a reload disables is removed from it.
    ///   - restartBackoff: the wait before a failed pipeline starts again (grows with each failure in a row).
    public init(
        configuration: FlowrunConfiguration,
        flow: PipelineConfiguration,
        readiness: Readiness? = nil,
        restartBackoff: Backoff = .exponential(initial: .seconds(1), maximum: .seconds(60))
    ) {
        self.flow = flow
        self.logger = flow.logger
        self.readiness = readiness
        self.state = Mutex(
            State(
                machine: PipelineSupervisorStateMachine(restartBackoff: restartBackoff),
                configuration: configuration
            )
        )
    }

    /// The pipelines running now (for the progress line), in the registry's order.
    public var running: [Running] {
        let running = self.state.withLock { $0.running }
        return PipelineRegistry.names.compactMap { running[$0] }
    }

    /// What stopping now, without finishing the drains, leaves undone: each running pipeline's
    /// ``PipelineKind/abandonedIfStoppedNow``.
    public var abandonedIfStoppedNow: String {
        let running = self.running
        guard !running.isEmpty else { return "nothing (no pipeline is running)" }
        return running.map { "\($0.name): \($0.service.abandonedIfStoppedNow)" }.joined(separator: "; ")
    }

    /// The tap points of the pipelines running now, in the registry's order (for `/tap`), each kind's
    /// ``PipelineKind/taps`` (live-broadcast's two pipelines).
    public var taps: [PipelineTaps] {
        self.running.flatMap(\.service.taps)
    }

    public func run() async throws {
        let initial = self.state.withLock { $0.configuration }
        try await self.apply(initial)
        await withGracefulShutdownHandler {
            _ = try? await self.finished.wait()
        } onGracefulShutdown: {
            let actions = self.state.withLock { $0.machine.shutdown(now: self.flow.clock.now) }
            self.perform(actions, reason: "shutting down")
            self.finishIfDone()
        }
        let abandoned = self.state.withLock { $0.abandoned }
        if !abandoned.isEmpty { throw DrainDeadlineExceeded(pipelines: abandoned.sorted { $0.pipeline < $1.pipeline }) }
    }

    /// Starts, stops and restarts pipelines so that exactly those `configuration` enables run, with its
    /// settings. Throws, changing nothing, when a pipeline it enables cannot be built (its connections' URLs).
    public func apply(_ configuration: FlowrunConfiguration) async throws {
        let enabled = PipelineRegistry.enabled(in: configuration)
        for kind in enabled { _ = try kind.init(configuration: configuration, flow: self.flow) }
        let wanted = enabled.map { (name: $0.name, settings: $0.runsWith(configuration)) }
        let actions = self.state.withLock { state in
            state.configuration = configuration
            return state.machine.apply(wanted, now: self.flow.clock.now)
        }
        self.perform(actions, reason: "the configuration changed")
    }

    // MARK: - Carrying out the state machine's actions

    private func perform(_ actions: [PipelineSupervisorStateMachine.Action], reason: String) {
        for action in actions {
            switch action {
            case .start(let name):
                self.start(name)
            case .drain(let name):
                self.drain(name, reason: reason)
            case .scheduleRestart(let name, let delay, let attempt):
                self.scheduleRestart(name, after: delay, attempt: attempt)
            case .cancelRestart(let name):
                self.state.withLock { $0.restartTimers.removeValue(forKey: name) }?.cancel()
            case .forget(let name):
                self.readiness?.remove(name)
                self.metrics(of: name).running.record(0)
            }
        }
    }

    private func start(_ name: String) {
        guard let kind = PipelineRegistry.kind(named: name) else { return }
        let configuration = self.state.withLock { $0.configuration }
        var flow = self.flow
        flow.drainTimeout = configuration.shutdown.drainTimeout
        let service: any PipelineKind
        do {
            service = try kind.init(configuration: configuration, flow: flow)
        } catch {
            // Checked by `apply`; a pipeline that cannot be built now is handled as one that failed.
            self.ended(name, service: nil, result: .failure(error))
            return
        }
        var metadata: Logger.Metadata = ["pipeline": "\(name)"]
        for (key, value) in kind.summary(of: configuration) { metadata[key] = "\(value)" }
        self.logger.info("pipeline starting", metadata: metadata)
        let metrics = self.metrics(of: name)
        metrics.running.record(0)
        var tracked: any Service = service
        if let readiness = self.readiness {
            tracked = TrackedPipeline(service, name: name, readiness: readiness) { try await service.serving() }
        }
        let group = ServiceGroup(services: [tracked], logger: self.logger)
        self.state.withLock { $0.running[name] = Running(name: name, service: service, group: group) }
        Task {
            let serving = Task {
                guard (try? await service.serving()) != nil else { return }
                metrics.running.record(1)
            }
            let result: Result<Void, any Error>
            do {
                try await group.run()
                result = .success(())
            } catch {
                result = .failure(error)
            }
            serving.cancel()
            await serving.value
            self.ended(name, service: service, result: result)
        }
    }

    private func drain(_ name: String, reason: String) {
        guard let running = self.state.withLock({ $0.running[name] }) else { return }
        self.logger.info("pipeline draining", metadata: ["pipeline": "\(name)", "reason": "\(reason)"])
        Task { await running.group.triggerGracefulShutdown() }
    }

    private func scheduleRestart(_ name: String, after delay: Duration, attempt: Int) {
        self.metrics(of: name).restarts.increment()
        let clock = self.flow.clock
        let timer = Task {
            do {
                try await clock.sleep(for: delay)
            } catch {
                return  // cancelled: a reload or the shutdown decided otherwise
            }
            let actions = self.state.withLock { state in
                state.restartTimers[name] = nil
                return state.machine.restartDue(name, now: clock.now)
            }
            self.perform(actions, reason: "restart")
        }
        self.state.withLock { $0.restartTimers[name] = timer }
    }

    /// A pipeline's group ended: drained (as asked), failed, or (unasked) returned. `service` is nil when it
    /// could not be built.
    private func ended(_ name: String, service: (any PipelineKind)?, result: Result<Void, any Error>) {
        let error: (any Error)? = if case .failure(let error) = result { error } else { nil }
        let abandonment = error.flatMap { error in service.flatMap { DrainDeadlineExceeded.Abandonment(error, of: $0) }
        }
        let actions = self.state.withLock { state in
            // One instance of a pipeline runs at a time: a restart starts only once this one has ended.
            state.running[name] = nil
            let actions = state.machine.ended(name, failed: error != nil, now: self.flow.clock.now)
            if let abandonment, state.machine.isShuttingDown { state.abandoned.append(abandonment) }
            return actions
        }
        self.metrics(of: name).running.record(0)
        let metadata: Logger.Metadata = ["pipeline": "\(name)"]
        let restart = actions.lazy.compactMap { action -> (Duration, Int)? in
            if case .scheduleRestart(_, let delay, let attempt) = action { return (delay, attempt) }
            return nil
        }.first
        switch (abandonment, error, restart) {
        case (let abandonment?, _, _):
            self.logger.error("\(abandonment)", metadata: metadata)
        case (nil, let error?, let (delay, attempt)?):
            let restarting = "restarting in \(delay) (attempt \(attempt))"
            self.readiness?.set(.failed("\(error); \(restarting)"), of: name)
            self.logger.error(
                "pipeline failed; \(restarting)",
                metadata: metadata.merging(["error": "\(error)"]) { $1 }
            )
        case (nil, nil, let (delay, attempt)?):
            let restarting = "restarting in \(delay) (attempt \(attempt))"
            self.readiness?.set(.failed("it ended by itself; \(restarting)"), of: name)
            self.logger.warning("pipeline ended by itself; \(restarting)", metadata: metadata)
        case (nil, let error?, nil):
            self.logger.error(
                "pipeline failed while draining",
                metadata: metadata.merging(["error": "\(error)"]) { $1 }
            )
        case (nil, nil, nil):
            self.logger.info("pipeline stopped", metadata: metadata)
        }
        self.perform(actions, reason: "restart")
        self.finishIfDone()
    }

    private func finishIfDone() {
        if self.state.withLock({ $0.machine.isFinished }) { self.finished.set(()) }
    }

    private func metrics(of name: String) -> (running: Gauge, restarts: Counter) {
        let dimensions = [("pipeline", name)]
        return (
            Gauge(label: "flowrun_pipeline_running", dimensions: dimensions, factory: self.flow.metricsFactory),
            Counter(label: "flowrun_pipeline_restarts_total", dimensions: dimensions, factory: self.flow.metricsFactory)
        )
    }
}
