import CMSStub
import Foundation
import Logging

/// A ``CMSStub`` serving on 127.0.0.1 (any free port) for one test, over real HTTP.
final class RunningCMSStub: Sendable {
    let stub: CMSStub
    /// What a `CMSClient` is configured with: `http://127.0.0.1:<port><basePath>`.
    let url: URL
    private let task: Task<Void, any Error>

    private init(stub: CMSStub, url: URL, task: Task<Void, any Error>) {
        self.stub = stub
        self.url = url
        self.task = task
    }

    /// Starts a stub and waits until it listens. FLOWRUN_TEST_LOG=1 shows its log on standard error.
    static func start(basePath: String = "") async throws -> RunningCMSStub {
        let logger =
            ProcessInfo.processInfo.environment["FLOWRUN_TEST_LOG"] == "1"
            ? Logger(label: "cms-stub-test", factory: { StreamLogHandler.standardError(label: $0) })
            : Logger(label: "cms-stub-test", factory: { _ in SwiftLogNoOpLogHandler() })
        let stub = CMSStub(host: "127.0.0.1", port: 0, basePath: basePath, logger: logger)
        let task = Task { try await stub.run() }
        do {
            return RunningCMSStub(stub: stub, url: try await stub.baseURL(), task: task)
        } catch {
            task.cancel()
            throw error
        }
    }

    /// Runs `body` with a running stub, then stops it, also when `body` throws.
    static func run(basePath: String = "", _ body: (RunningCMSStub) async throws -> Void) async throws {
        let running = try await RunningCMSStub.start(basePath: basePath)
        do {
            try await body(running)
        } catch {
            try await running.stop()
            throw error
        }
        try await running.stop()
    }

    /// Stops the stub (requests still hanging are cut off) and waits until it has stopped.
    func stop() async throws {
        self.stub.shutdown()
        try await self.task.value
    }
}
