import ServiceLifecycle

/// Runs a pipeline's `Service` and keeps its ``PipelineState`` in a ``Readiness`` up to date.
///
/// | when | state |
/// |---|---|
/// | made, and until ``run()`` | ``PipelineState/starting`` |
/// | ``run()`` began (or, with `runningWhen`, once that holds) | ``PipelineState/running`` |
/// | a graceful shutdown reached it | ``PipelineState/draining`` |
/// | the service returned | ``PipelineState/stopped`` |
/// | the service threw | ``PipelineState/failed(_:)`` with the error |
///
/// ```swift
/// TrackedPipeline(liveBroadcast, name: LiveBroadcast.name, readiness: readiness) {
///     liveBroadcast.server.port != nil  // running once the WebSocket server listens
/// }
/// ```
///
/// - Important: `running` is set at most once, and only from `starting`: a `runningWhen` that comes true
///   during a drain does not make the pipeline ready again.
public struct TrackedPipeline: Service {
    public let name: String
    private let service: any Service
    private let readiness: Readiness
    private let runningWhen: (@Sendable () -> Bool)?

    /// - Parameters:
    ///   - runningWhen: Polled every 50 ms once ``run()`` began, until it returns true; nil: the pipeline
    ///     counts as running as soon as its service runs.
    public init(
        _ service: any Service,
        name: String,
        readiness: Readiness,
        runningWhen: (@Sendable () -> Bool)? = nil
    ) {
        self.service = service
        self.name = name
        self.readiness = readiness
        self.runningWhen = runningWhen
        readiness.set(.starting, of: name)
    }

    public func run() async throws {
        let (name, readiness) = (self.name, self.readiness)
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if let runningWhen = self.runningWhen {
                        group.addTask {
                            while !runningWhen() { try await Task.sleep(for: .milliseconds(50)) }
                            readiness.advance(name, from: .starting, to: .running)
                        }
                    } else {
                        readiness.advance(name, from: .starting, to: .running)
                    }
                    // The service runs in this task, so it sees the group's graceful shutdown itself.
                    try await self.service.run()
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                readiness.set(.draining, of: name)
            }
        } catch {
            readiness.set(.failed("\(error)"), of: name)
            throw error
        }
        readiness.set(.stopped, of: name)
    }
}
