import ArgumentParser
import Foundation
import Stages

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Append moving trackers' positions to the telemetry stream.",
        discussion: """
            Each device drives around Vilnius and reports one position per second of \
            simulated time, starting now, as the ingestion service would append it \
            (CONTRACT §1). Entries go out at --rate per second until --duration or \
            --count is reached, or until Ctrl-C. A progress line is printed every second.

            Examples:
              flowrun simulate --devices 100 --rate 1000 --duration 60
              flowrun simulate --devices 5 --rate 50 --duplicates 0.02 \\
                --out-of-order 0.01 --malformed 0.001
              flowrun simulate --count 200000 --rate 0   (as fast as Redis takes them)
            """
    )

    @Option(help: "The Redis URL. (default: $REDIS_URL, else redis://127.0.0.1:16379)")
    var redisURL: String?

    @Option(help: "The stream to append to.")
    var stream = "telemetry:t"

    @Option(help: "Number of devices.")
    var devices = 100

    @Option(help: "Entries per second (0: as fast as possible).")
    var rate = 1000.0

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "Stop after this many entries.")
    var count: Int?

    @Option(help: "Share of entries sent twice (0–1).")
    var duplicates = 0.0

    @Option(
        help: "Share of positions after which a device goes offline and later flushes its buffer out of order (0–1)."
    )
    var outOfOrder = 0.0

    @Option(help: "Share of entries that are malformed (0–1).")
    var malformed = 0.0

    @Option(help: "Random seed: the same seed sends the same entries.")
    var seed: UInt64 = 1

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        guard self.devices >= 1 else { throw ValidationError("--devices must be at least 1") }
        guard self.rate >= 0 else { throw ValidationError("--rate must be 0 (as fast as possible) or positive") }
        for (name, value) in [
            ("duplicates", self.duplicates), ("out-of-order", self.outOfOrder), ("malformed", self.malformed),
        ]
        where !(0...1).contains(value) {
            throw ValidationError("--\(name) is a share between 0 and 1 (got \(value))")
        }
    }

    func run() async throws {
        let url = self.redisURL ?? ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:16379"
        let redis: RedisConnection
        do {
            redis = try RedisConnection(url: url, name: "simulate")
            try await redis.connect()
        } catch {
            throw CommandFailure("\(error)\n(start local servers with: scripts/services.sh start)")
        }
        var options = TrackSimulator.Options()
        options.devices = self.devices
        options.seed = self.seed
        options.duplicates = self.duplicates
        options.outOfOrder = self.outOfOrder
        options.malformed = self.malformed
        // Positions start now, so that every run sends new positions (the same seed gives the same tracks).
        options.start = Int64(Date().timeIntervalSince1970 * 1000) * 1000
        let appender = StreamAppender(redis: redis, stream: self.stream)
        let duration: Duration? = self.duration.map { .milliseconds(Int64($0 * 1000)) }
        var progress: (@Sendable (String) -> Void)?
        if !self.quiet { progress = { line in print(line) } }
        let report = try await appender.run(
            simulator: TrackSimulator(options: options),
            rate: self.rate,
            duration: duration,
            count: self.count,
            progress: progress
        )
        print("simulate: done, \(report)")
        await redis.close()
    }
}
