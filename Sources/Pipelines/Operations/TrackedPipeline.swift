import ServiceLifecycle

/// Runs a pipeline's `Service` and keeps its ``PipelineState`` in a ``Readiness`` up to date.
///
/// | when | state |
/// |---|---|
/// | made, and until ``run()`` | ``PipelineState/starting`` |
/// | ``run()`` began (or, with `serving`, once that returns) | ``PipelineState/running`` |
/// | a graceful shutdown reached it | ``PipelineState/draining`` |
/// | the service returned | ``PipelineState/stopped`` |
/// | the service threw | ``PipelineState/failed(_:)`` with the error |
///
/// ```swift
/// TrackedPipeline(liveBroadcast, name: LiveBroadcast.name, readiness: readiness) {
///     try await liveBroadcast.serving()  // running once the WebSocket server listens
/// }
/// ```
///
/// - Important: `running` is set at most once, and only from `starting`: a `serving` that returns during a
///   drain does not make the pipeline ready again.
public struct TrackedPipeline: Service {
    public let name: String
    private let service: any Service
    private let readiness: Readiness
    private let serving: (@Sendable () async throws -> Void)?

    /// - Parameters:
    ///   - serving: Called once ``run()`` began, returns once the pipeline serves; nil: the pipeline counts as
    ///     running as soon as its service runs.
    public init(
        _ service: any Service,
        name: String,
        readiness: Readiness,
        serving: (@Sendable () async throws -> Void)? = nil
    ) {
        self.service = service
        self.name = name
        self.readiness = readiness
        self.serving = serving
        readiness.set(.starting, of: name)
    }

    public func run() async throws {
        let (name, readiness) = (self.name, self.readiness)
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if let serving = self.serving {
                        group.addTask {
                            try await serving()
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
