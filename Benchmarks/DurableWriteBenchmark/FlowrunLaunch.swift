import Foundation

/// The release `flowrun` running durable-write only, on a configuration written for the run.
struct FlowrunLaunch {
    let binary: String
    let migrations: String
    let configuration: String

    init(
        binary: String,
        migrations: String,
        redisURL: String,
        postgresURL: String,
        stream: String,
        writers: Int,
        batch: Int
    ) throws {
        self.binary = binary
        self.migrations = migrations
        self.configuration =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("flowrun-bench-\(getpid()).yaml").path
        try """
        instance: bench-1
        http:
          port: 0
        redis:
          url: \(redisURL)
        postgres:
          url: \(postgresURL)
        log:
          level: warning
        pipelines:
          durable-write:
            stream: \(stream)
            group: bench
            writers: \(writers)
            read_count: \(batch)
            batch:
              max: \(batch)
        """.write(toFile: self.configuration, atomically: true, encoding: .utf8)
    }

    /// Starts flowrun (its warnings go to this standard error); the caller terminates it.
    func start() throws -> Process {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: self.binary)
        child.arguments = ["run", self.configuration, "--migrations", self.migrations, "--progress", "0"]
        try child.run()
        return child
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.configuration)
    }
}
