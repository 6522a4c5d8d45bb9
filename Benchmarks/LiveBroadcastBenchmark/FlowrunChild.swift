import BenchmarkSupport
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
    private let launch: FlowrunLaunch
    private let process: FlowrunProcess

    var pid: Int32 { self.process.pid }

    /// Writes the configuration and starts flowrun (its log, at warning level, goes to this standard error).
    init(settings: Settings) throws {
        self.settings = settings
        self.launch = try FlowrunLaunch(
            binary: settings.binary,
            migrations: settings.migrations,
            redisURL: settings.redisURL,
            postgresURL: settings.postgresURL,
            pipelines: """
                  durable-write:
                    enabled: false
                  live-broadcast:
                    enabled: true
                    stream: \(settings.stream)
                    port: \(settings.port)
                    cms_url: \(settings.cmsURL)
                    block: 100ms
                \(settings.flushDelay.map { "    flush_delay: \($0)ms" } ?? "")
                """,
            instance: Settings.instance
        )
        do {
            self.process = try self.launch.start()
        } catch {
            self.launch.remove()
            throw error
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
        try self.process.checkRunning(while: doing)
    }

    /// SIGTERM (flowrun drains and exits), SIGKILL after 10 s; removes the configuration file.
    func stop() async {
        await self.process.stop()
        self.launch.remove()
    }
}
