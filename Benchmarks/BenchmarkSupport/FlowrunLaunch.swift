import Foundation

/// The release `flowrun` on a configuration written for the run: the pipelines given (`pipelines`: the YAML
/// of their sections, each name indented by two spaces), with flowrun's defaults but for the settings
/// written there; logs at warning level, the operations port on `httpPort` (0: any free port).
public struct FlowrunLaunch {
    public let binary: String
    public let migrations: String
    public let configuration: String

    /// - Parameter name: tells this run's configuration file apart from the others of the same benchmark.
    public init(
        binary: String,
        migrations: String,
        redisURL: String,
        postgresURL: String,
        pipelines: String,
        name: String = "run",
        instance: String = "bench-1",
        httpPort: Int = 0
    ) throws {
        self.binary = binary
        self.migrations = migrations
        self.configuration =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("flowrun-bench-\(getpid())-\(name).yaml").path
        try """
        instance: \(instance)
        http:
          port: \(httpPort)
        redis:
          url: \(redisURL)
        postgres:
          url: \(postgresURL)
        log:
          level: warning
        pipelines:
        \(pipelines)

        """.write(toFile: self.configuration, atomically: true, encoding: .utf8)
    }

    /// Starts flowrun (its warnings go to this standard error); the caller stops it.
    public func start() throws -> FlowrunProcess {
        try FlowrunProcess(
            binary: self.binary,
            arguments: ["run", self.configuration, "--migrations", self.migrations, "--progress", "0"]
        )
    }

    /// `flowrun migrate`: applies the migrations to the configured database, and waits for it.
    public func migrate() async throws {
        let child = try FlowrunProcess(
            binary: self.binary,
            arguments: ["migrate", self.configuration, "--migrations", self.migrations]
        )
        try await child.waitForExit(doing: "applying the migrations")
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: self.configuration)
    }
}
