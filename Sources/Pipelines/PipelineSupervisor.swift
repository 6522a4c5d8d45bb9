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
///   non-zero and says why — except while it drains, when its error is logged. A drain never acknowledges
///   what was not stored (see each pipeline), so stopping one is always safe.
public final class PipelineSupervisor: Service, Sendable {
    /// What ``PipelineSupervisor`` knows of one running pipeline.
    public struct Running: Sendable {
        public let name: String
        public let service: any Service
        /// The configuration it runs with, to tell whether a new one changes it.
        let fingerprint: String
        let group: ServiceGroup
        let task: Task<Void, any Error>
    }

    /// A pipeline's state, for `/readyz` and the logs.
    public enum State: Sendable, Hashable, CustomStringConvertible {
        case starting, running, draining, stopped
        case failed(String)

        public var description: String {
            switch self {
            case .starting: "starting"
            case .running: "running"
            case .draining: "draining"
            case .stopped: "stopped"
            case .failed(let reason): "failed: \(reason)"
            }
        }
    }

    private let flow: PipelineConfiguration
    private let logger: Logger
    private let state: Mutex<(running: [String: Running], states: [String: State], failure: (any Error)?)>
    private let initial: FlowrunConfiguration
    private let changes = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    public init(configuration: FlowrunConfiguration, flow: PipelineConfiguration) {
        self.initial = configuration
        self.flow = flow
        self.logger = flow.logger
        self.state = Mutex(([:], [:], nil))
    }

    /// The pipelines running now (for the progress line).
    public var running: [Running] {
        self.state.withLock { state in state.running.values.sorted { $0.name < $1.name } }
    }

    /// Every pipeline's state (a pipeline never started is absent).
    public var states: [String: State] {
        self.state.withLock { $0.states }
    }

    public func run() async throws {
        try await self.apply(self.initial)
        await withGracefulShutdownHandler {
            // Wakes on every pipeline's end; returns once a pipeline failed, or on shutdown.
            for await _ in self.changes.stream {
                if self.state.withLock({ $0.failure != nil }) { break }
            }
        } onGracefulShutdown: {
            self.changes.continuation.finish()
        }
        await withTaskGroup(of: Void.self) { group in
            for running in self.running {
                group.addTask { await self.stop(running, reason: "shutting down") }
            }
        }
        if let failure = self.state.withLock({ $0.failure }) { throw failure }
    }

    /// Starts, stops and restarts pipelines so that exactly those `configuration` enables run, with its
    /// settings. Throws when a pipeline cannot be built (its connections' URLs), leaving the others as
    /// they were.
    public func apply(_ configuration: FlowrunConfiguration) async throws {
        let wanted = Self.pipelines(of: configuration)
        for running in self.running {
            if let fingerprint = wanted[running.name], fingerprint == running.fingerprint { continue }
            let reason = wanted[running.name] == nil ? "disabled" : "its settings changed"
            await self.stop(running, reason: reason)
        }
        let runningNames = Set(self.running.map(\.name))
        for name in wanted.keys.sorted() where !runningNames.contains(name) {
            try self.start(name, configuration: configuration, fingerprint: wanted[name]!)
        }
    }

    /// Enabled pipeline name → a fingerprint of what it runs with.
    static func pipelines(of configuration: FlowrunConfiguration) -> [String: String] {
        let shared =
            "\(configuration.instance)|\(configuration.redis)|\(configuration.postgres)|\(configuration.shutdown)"
        var pipelines: [String: String] = [:]
        if configuration.pipelines.durableWrite.enabled {
            pipelines[DurableWrite.name] = shared + "|\(configuration.pipelines.durableWrite)"
        }
        if configuration.pipelines.liveBroadcast.enabled {
            pipelines[LiveBroadcast.name] = shared + "|\(configuration.pipelines.liveBroadcast)"
        }
        return pipelines
    }

    private func start(_ name: String, configuration: FlowrunConfiguration, fingerprint: String) throws {
        var flow = self.flow
        flow.drainTimeout = configuration.shutdown.drainTimeout
        let service: any Service
        var metadata: Logger.Metadata = ["pipeline": "\(name)", "consumer": "\(configuration.instance)"]
        switch name {
        case DurableWrite.name:
            let settings = configuration.pipelines.durableWrite
            service = try DurableWrite(configuration: configuration, flow: flow)
            metadata["stream"] = "\(settings.stream)"
            metadata["group"] = "\(settings.group)"
        case LiveBroadcast.name:
            let settings = configuration.pipelines.liveBroadcast
            service = try LiveBroadcast(configuration: configuration, flow: flow)
            metadata["stream"] = "\(settings.stream)"
            metadata["group"] = "\(settings.group(instance: configuration.instance))"
            metadata["port"] = "\(settings.port)"
            metadata["cms"] = "\(settings.cmsURL)"
        default:
            preconditionFailure("unknown pipeline \(name)")
        }
        self.logger.info("pipeline starting", metadata: metadata)
        let group = ServiceGroup(services: [service], logger: self.logger)
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
            state.states[name] = .running
        }
    }

    private func stop(_ running: Running, reason: String) async {
        let stillRunning = self.state.withLock { state in
            guard state.running[running.name] != nil else { return false }
            state.states[running.name] = .draining
            return true
        }
        guard stillRunning else { return }
        self.logger.info("pipeline draining", metadata: ["pipeline": "\(running.name)", "reason": "\(reason)"])
        await running.group.triggerGracefulShutdown()
        _ = await running.task.result
        self.state.withLock { state in
            state.running[running.name] = nil
            if case .draining = state.states[running.name] { state.states[running.name] = .stopped }
        }
        self.logger.info("pipeline stopped", metadata: ["pipeline": "\(running.name)"])
    }

    /// A pipeline's group ended: drained (as asked), or failed.
    private func ended(_ name: String, failure: (any Error)?) {
        self.state.withLock { state in
            let draining = state.states[name] == .draining
            if let failure {
                state.states[name] = .failed("\(failure)")
                if !draining, state.failure == nil { state.failure = failure }
            } else if !draining {
                // It ended by itself (its source ended): like a failure, the process should not go on quietly.
                state.states[name] = .stopped
            }
            if !draining { state.running[name] = nil }
        }
        if let failure {
            self.logger.error("pipeline failed", metadata: ["pipeline": "\(name)", "error": "\(failure)"])
        }
        self.changes.continuation.yield()
    }
}
