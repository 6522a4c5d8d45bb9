import Foundation
import LiveTestClient
import Stages

/// The real `flowrun` binary as a child process, running live-broadcast only, with a generated configuration.
///
/// - Important: Use it from one task; ``stop()`` must be called on every path (it is idempotent).
final class FlowrunChild {
    struct Settings {
        var binary: String
        var migrations: String
        var redisURL: String
        var postgresURL: String
        var stream: String
        var port: Int
        var cmsURL: String
        /// `flush_delay` in milliseconds; nil: flowrun's default.
        var flushDelay: Int?
        /// `<group_prefix>-<instance>`, as flowrun names it.
        var group: String { "live-broadcast-\(Self.instance)" }
        static let instance = "livebench-1"
    }

    let settings: Settings
    let configurationPath: String
    private let process = Process()

    var pid: Int32 { self.process.processIdentifier }

    /// Writes the configuration and starts flowrun (its log, at warning level, goes to this standard error).
    init(settings: Settings) throws {
        self.settings = settings
        self.configurationPath =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("flowrun-livebench-\(getpid()).yaml").path
        try """
        instance: \(Settings.instance)
        redis:
          url: \(settings.redisURL)
        postgres:
          url: \(settings.postgresURL)
        http:
          port: 0
        log:
          level: warning
        pipelines:
          durable-write:
            enabled: false
          live-broadcast:
            enabled: true
            stream: \(settings.stream)
            port: \(settings.port)
            cms_url: \(settings.cmsURL)
            block: 100ms
        \(settings.flushDelay.map { "    flush_delay: \($0)ms" } ?? "")
        """.write(toFile: self.configurationPath, atomically: true, encoding: .utf8)
        self.process.executableURL = URL(fileURLWithPath: settings.binary)
        self.process.arguments = [
            "run", self.configurationPath, "--migrations", settings.migrations, "--progress", "0",
        ]
        do {
            try self.process.run()
        } catch {
            try? FileManager.default.removeItem(atPath: self.configurationPath)
            throw BenchmarkFailure("cannot start \(settings.binary): \(error)")
        }
    }

    /// Waits until the port accepts a WebSocket upgrade (one probe client, closed at once).
    func waitUntilServing(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            try self.checkRunning(while: "opening its WebSocket port \(self.settings.port)")
            let outcome: LiveTestClient.Connection?
            do {
                outcome = try await LiveTestClient.connect(
                    host: "127.0.0.1",
                    port: self.settings.port,
                    cookie: "\(BenchmarkClients.cookieName)=valid-bench-probe"
                )
            } catch {
                outcome = nil  // not listening yet
            }
            switch outcome {
            case .connected(let client):
                await client.close()
                return
            case .refused(let status, let body):
                throw BenchmarkFailure(
                    "flowrun refused the WebSocket upgrade on port \(self.settings.port): HTTP \(status) \(body)"
                )
            case nil:
                guard ContinuousClock.now < deadline else {
                    throw BenchmarkFailure(
                        "flowrun's WebSocket port \(self.settings.port) did not open within \(timeout) (its log is above)"
                    )
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Waits until flowrun's consumer group exists: it is placed at the stream's end, so entries appended before
    /// would never be read.
    func waitForGroup(redis: RedisConnection, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await ConsumerGroup.lag(redis: redis, stream: self.settings.stream, group: self.settings.group)
            == .missing
        {
            try self.checkRunning(while: "creating its consumer group")
            guard ContinuousClock.now < deadline else {
                throw BenchmarkFailure(
                    "flowrun did not create the group \(self.settings.group) on \(self.settings.stream) within \(timeout)"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func checkRunning(while doing: String) throws(BenchmarkFailure) {
        guard self.process.isRunning else {
            let status = self.process.terminationStatus
            let how = self.process.terminationReason == .uncaughtSignal ? "was killed by signal" : "exited with status"
            throw BenchmarkFailure("flowrun \(how) \(status) while \(doing); its log is above")
        }
    }

    /// SIGTERM (flowrun drains and exits), SIGKILL after 10 s; removes the configuration file.
    func stop() async {
        if self.process.isRunning {
            self.process.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while self.process.isRunning, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: self.configurationPath)
    }
}
