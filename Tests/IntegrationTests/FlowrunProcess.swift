import Foundation

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

    var output: String { (try? String(contentsOfFile: self.outputFile, encoding: .utf8)) ?? "" }

    /// The port its operations server listens on (`http.port: 0` binds any), read from its log line.
    func operationsPort() async throws -> Int {
        let start = ContinuousClock.now
        while start.duration(to: .now) < .seconds(60) {
            if let line = self.output.split(separator: "\n").first(where: {
                $0.contains("operations HTTP server listening")
            }),
                let match = line.firstMatch(of: /port=(\d+)/), let port = Int(match.1)
            {
                return port
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("flowrun did not say its operations port within 60 s; output:\n\(self.output)")
    }

    func kill(_ signal: Int32) { self.child.kill(signal) }

    /// Its exit status (or 128 + signal).
    func waitForExit() async -> Int32 { await self.child.exitStatus() }
}
