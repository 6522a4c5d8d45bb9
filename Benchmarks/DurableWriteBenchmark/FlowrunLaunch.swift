import Foundation

/// The release `flowrun` running durable-write only, on a configuration written for the run: flowrun's
/// defaults, except the settings given.
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
        writers: Int?,
        batch: Int?,
        readCount: Int?
    ) throws {
        self.binary = binary
        self.migrations = migrations
        self.configuration =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("flowrun-bench-\(getpid()).yaml").path
        // Only the settings given; the others are flowrun's defaults, as an operator gets them.
        var settings = ""
        if let writers { settings += "\n    writers: \(writers)" }
        if let readCount { settings += "\n    read_count: \(readCount)" }
        if let batch { settings += "\n    batch:\n      max: \(batch)" }
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
            group: bench\(settings)

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
