import ArgumentParser
import Foundation
import Stages

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Append moving trackers' positions to the telemetry stream.",
        discussion: """
            Each device reports one position every --interval of device time, as the ingestion \
            service would append it (CONTRACT §1), until --duration or --count is reached, or \
            until Ctrl-C. A progress line is printed every second.

            Without --course the devices wander around Vilnius at random. With --course demo they \
            race the demo course (the one scripts/demo-registry.sql registers for event "Demo race", \
            00000000-0000-4000-8000-00000000d001; --print-course-sql prints its SQL): staggered \
            before the start line, three laps of about 2.3 km (10 checkpoints) at 7–12 m/s with \
            smooth speed changes, then they keep circling. The first device carries a spare \
            tracker (IMEI 356307049999999) along, so --course sends --devices + 1 devices.

            Pace: device time never runs ahead of the wall clock; a position is appended no earlier \
            than its timestamp. --pace clock (the default): device time starts now and follows the \
            wall clock, so about devices / interval positions go out per second; --rate only caps \
            that (below it, device time falls behind). --pace rate: entries go out at --rate (0: as \
            fast as Redis takes them), and device time starts early enough in the past that the run \
            (--count, or --duration × --rate) ends about now; needs one of them.

            --truth FILE (with --course) writes, as JSON lines, when each device truly crossed each \
            checkpoint, computed from its exact path (not from its noisy, sampled fixes): the \
            crossing CONTRACT §6.3 counts, one line per device per checkpoint, in crossing order:
              {"device_id":"356307042441013","event_id":"00000000-0000-4000-8000-00000000d001",
               "checkpoint_id":"00000000-0000-4000-8003-000000000001","seq":1,
               "ts":"2026-05-02T16:00:11.482Z"}
            (ts in UTC, rounded to the millisecond, halves up).

            Examples:
              flowrun simulate --devices 100 --duration 60
              flowrun simulate --devices 5 --duplicates 0.02 --out-of-order 0.01 --malformed 0.001
              flowrun simulate --course demo --devices 20 --noise-m 3 --faulty 0.01 \\
                --offline 0.2 --truth .local/truth.jsonl
              flowrun simulate --pace rate --count 200000 --rate 0   (as fast as Redis takes them)
            """
    )

    enum Pace: String, ExpressibleByArgument, CaseIterable {
        case clock, rate
    }

    @Option(help: "The Redis URL. (default: $REDIS_URL, else redis://127.0.0.1:16379)")
    var redisURL: String?

    @Option(help: "The stream to append to.")
    var stream = "telemetry:t"

    @Option(help: "Number of devices (racers with --course).")
    var devices = 100

    @Option(help: "Seconds of device time between two positions of one device.")
    var interval = 1.0

    @Option(help: "Which sets the pace: the wall clock (--rate a cap) or --rate (device time backdated).")
    var pace = Pace.clock

    @Option(help: "Entries per second at most (0: no cap).")
    var rate = 1000.0

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "Stop after this many entries.")
    var count: Int?

    @Option(help: "Drive the devices along a course: 'demo'.")
    var course: String?

    @Flag(help: "Print the SQL that registers the demo course and exit.")
    var printCourseSQL = false

    @Option(name: .customLong("noise-m"), help: "With --course: GPS noise, standard deviation per axis, metres.")
    var noise = 0.0

    @Option(help: "With --course: share of fixes that are faulty: few satellites, null island, a far jump (0–1).")
    var faulty = 0.0

    @Option(help: "With --course: share of devices that go offline in bursts and flush them out of order (0–1).")
    var offline = 0.0

    @Option(help: "With --course: write each device's true checkpoint crossings to this file (JSON lines).")
    var truth: String?

    @Option(help: "Share of entries sent twice (0–1).")
    var duplicates = 0.0

    @Option(
        help:
            "Without --course: share of positions after which a device goes offline for a few ticks, then flushes out of order (0–1)."
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
        guard self.rate >= 0 else { throw ValidationError("--rate must be 0 (no cap) or positive") }
        guard self.interval > 0 else { throw ValidationError("--interval must be positive") }
        guard self.noise >= 0 else { throw ValidationError("--noise-m must be 0 or positive") }
        for (name, value) in [
            ("duplicates", self.duplicates), ("out-of-order", self.outOfOrder), ("malformed", self.malformed),
            ("faulty", self.faulty), ("offline", self.offline),
        ]
        where !(0...1).contains(value) {
            throw ValidationError("--\(name) is a share between 0 and 1 (got \(value))")
        }
        if let course = self.course, course != "demo" {
            throw ValidationError("--course knows one course: 'demo' (got '\(course)')")
        }
        if self.course == nil {
            let courseOnly = [
                ("noise-m", self.noise > 0), ("faulty", self.faulty > 0), ("offline", self.offline > 0),
                ("truth", self.truth != nil),
            ]
            if let (name, _) = courseOnly.first(where: \.1) {
                throw ValidationError("--\(name) needs --course demo")
            }
        } else if self.outOfOrder > 0 {
            throw ValidationError("with --course, devices go out of order through --offline, not --out-of-order")
        }
        if self.pace == .rate && self.count == nil && (self.duration == nil || self.rate == 0) {
            throw ValidationError("--pace rate needs --count, or --duration with a --rate above 0")
        }
    }

    func run() async throws {
        if self.printCourseSQL {
            print(DemoCourse.registrySQL)
            return
        }
        let url = self.redisURL ?? ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:16379"
        let redis: RedisConnection
        do {
            redis = try RedisConnection(url: url, name: "simulate")
            try await redis.connect()
        } catch {
            throw CommandFailure("\(error)\n(start local servers with: scripts/services.sh start)")
        }
        let clock = SystemWallClock()
        let start = self.firstTickTime(now: clock.now())
        let appender = StreamAppender(redis: redis, stream: self.stream, clock: clock)
        let duration: Duration? = self.duration.map { .milliseconds(Int64($0 * 1000)) }
        var progress: (@Sendable (String) -> Void)?
        if !self.quiet { progress = { line in print(line) } }
        let report: StreamAppender.Report
        if self.course != nil {
            let truth = try self.truth.map { try TruthFile(path: $0) }
            report = try await appender.run(
                simulator: CourseSimulator(options: self.courseOptions(start: start)),
                rate: self.rate,
                duration: duration,
                count: self.count,
                truth: truth.map { file in { crossings in try file.write(crossings) } },
                progress: progress
            )
            try truth?.close()
        } else {
            report = try await appender.run(
                simulator: TrackSimulator(options: self.trackOptions(start: start)),
                rate: self.rate,
                duration: duration,
                count: self.count,
                progress: progress
            )
        }
        print("simulate: done, \(report)")
        await redis.close()
    }

    /// Devices per tick.
    var devicesSending: Int { self.devices + (self.course == nil ? 0 : 1) }

    /// The first tick's device time: now (`clock`), or with `--pace rate` early enough that the run's last
    /// tick is about now (every run sends new positions; the same seed gives the same tracks).
    func firstTickTime(now: Int64) -> Int64 {
        guard self.pace == .rate else { return now }
        let entries = self.count.map(Double.init) ?? self.rate * (self.duration ?? 0)
        let ticks = (entries / Double(self.devicesSending)).rounded(.up)
        let wall = (self.count == nil ? self.duration ?? 0 : 0) * 1e6
        return min(now, now + Int64(wall - ticks * self.interval * 1e6))
    }

    func trackOptions(start: Int64) -> TrackSimulator.Options {
        var options = TrackSimulator.Options()
        options.devices = self.devices
        options.seed = self.seed
        options.start = start
        options.interval = .microseconds(Int64(self.interval * 1e6))
        options.duplicates = self.duplicates
        options.outOfOrder = self.outOfOrder
        options.malformed = self.malformed
        return options
    }

    func courseOptions(start: Int64) -> CourseSimulator.Options {
        var options = CourseSimulator.Options()
        options.devices = self.devices
        options.seed = self.seed
        options.start = start
        options.interval = .microseconds(Int64(self.interval * 1e6))
        options.noise = self.noise
        options.faulty = self.faulty
        options.offline = self.offline
        options.duplicates = self.duplicates
        options.malformed = self.malformed
        return options
    }
}

/// `--truth`'s file: one ``TruthCrossing/jsonLine`` per line, written as the crossings happen.
final class TruthFile {
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CommandFailure("cannot write the truth file \(path)") }
        self.handle = handle
    }

    func write(_ crossings: [TruthCrossing]) throws {
        let text = crossings.map { $0.jsonLine + "\n" }.joined()
        try self.handle.write(contentsOf: Data(text.utf8))
    }

    func close() throws { try self.handle.close() }
}
