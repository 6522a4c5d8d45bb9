import Foundation
import Stages

/// `flowrun` run as a child process, its output collected in a file.
final class FlowrunProcess: Sendable {
    private let child: ChildProcess
    private let outputFile: String

    static var binary: URL { Servers.repository.appendingPathComponent(".build/debug/flowrun") }

    convenience init(configuration: String) throws {
        try self.init(arguments: [
            "run", configuration, "--migrations", Servers.repository.appendingPathComponent("Migrations").path,
            "--progress", "0",
        ])
    }

    init(arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw HarnessError("\(Self.binary.path) is missing: build it first (swift build --product flowrun)")
        }
        self.outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-\(UUID()).log").path
        self.child = try ChildProcess(Self.binary.path, arguments, outputFile: self.outputFile)
    }

    /// A test that fails (or forgets) before stopping its flowrun does not leave it running after the test.
    deinit {
        if !self.child.hasExited { self.child.kill(SIGKILL) }
    }

    var output: String { (try? String(contentsOfFile: self.outputFile, encoding: .utf8)) ?? "" }

    /// The port its operations server listens on (`http.port: 0` binds any), read from its log line.
    func operationsPort() async throws -> Int {
        try await self.port(saidBy: "operations HTTP server listening")
    }

    /// The port live-broadcast's server listens on (`port: 0` binds any), read from its log line.
    func livePort() async throws -> Int {
        try await self.port(saidBy: "live server listening")
    }

    /// The `port=` of the first log line holding `message`, waiting up to 60 s for it.
    private func port(saidBy message: String) async throws -> Int {
        let start = ContinuousClock.now
        while start.duration(to: .now) < .seconds(60) {
            if let line = self.output.split(separator: "\n").first(where: { $0.contains(message) }),
                let match = line.firstMatch(of: /port=(\d+)/), let port = Int(match.1)
            {
                return port
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("flowrun did not log \"\(message)\" with its port within 60 s; output:\n\(self.output)")
    }

    func kill(_ signal: Int32) { self.child.kill(signal) }

    /// Its exit status (or 128 + signal).
    func waitForExit() async -> Int32 { await self.child.exitStatus() }
}

extension TestWorld {
    /// Has the running `flowrun` store a first run of positions, then stops PostgreSQL, appends more and waits
    /// until flowrun has read some it cannot store; runs `body` then (signals, exit status) and starts
    /// PostgreSQL again, also when `body` throws, waiting until it answers.
    func withPostgresStoppedAndEntriesInFlight(seed: UInt64, _ body: () async throws -> Void) async throws {
        var options = TrackSimulator.Options()
        options.devices = 20
        options.seed = seed
        let first = try await self.appendSimulated(options, count: 500)
        try await self.waitUntilStoredAndAcknowledged(rows: distinctPositions(first))
        try await Servers.services("stop-postgres")
        do {
            options.seed = seed + 1
            _ = try await self.appendSimulated(options, count: 500)
            try await self.eventually("flowrun read entries it cannot store") { try await self.pendingCount() > 0 }
            try await body()
        } catch {
            try? await Servers.services("start-postgres")
            throw error
        }
        try await Servers.services("start-postgres")
        try await self.eventually("PostgreSQL answers again") { try await self.rowCount() >= 0 }
    }
}
