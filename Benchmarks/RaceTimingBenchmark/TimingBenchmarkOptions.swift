import BenchmarkSupport

/// The command line of `race-timing-benchmark`.
struct TimingBenchmarkOptions: Sendable {
    /// Racers, each with one device (the first also carries the spare tracker). Default: 500.
    var devices = 500
    /// GPS noise of the noisy race, σ per axis in metres; every run also races without noise. Default: 3.
    var noise = 3.0
    /// Share of faulty fixes. Default: 0.001.
    var faulty = 0.001
    /// Share of devices going offline in bursts. Default: 0.02.
    var offline = 0.02
    /// Seconds of device time raced (1 Hz fixes). Default: 1,200 (every racer finishes by about 850 s with 500).
    var seconds = 1200
    /// Runs of the two races. Default: 1.
    var runs = 1

    static let usage = """
        USAGE: race-timing-benchmark [--devices N] [--noise-m σ] [--faulty F] [--offline F] [--seconds S]
                                     [--runs R] [--quick]

        Races the demo course (10 checkpoints: three laps of the start line and 2 splits, the finish on the
        start line; `flowrun simulate --course demo`) with N devices at 1 Hz for S seconds of device time,
        pre-loaded in a stream with the simulator's truth, twice per run: once without noise, once with σ
        metres. Each race is drained by the release flowrun three times, each alone and timed from its start
        to its last acknowledgement: race-timing before anything is stored, durable-write, then race-timing
        again in a new group (its rebuild reads every position durable-write stored). Prints the rates, their
        ratio, crossings/s, CPU and peak RSS, the crossing-time error against the truth (p50, p99, max;
        missing, extra), and the rows that differ from CONTRACT §6's definition computed here from the stored
        positions.

        OPTIONS:
          --devices N    racers (default 500; the spare tracker makes N + 1 devices)
          --noise-m σ    GPS noise of the noisy race, metres per axis (default 3)
          --faulty F     share of faulty fixes (default 0.001)
          --offline F    share of devices going offline in bursts of 30–120 s (default 0.02)
          --seconds S    seconds of device time raced (default 1200: every racer finishes)
          --runs R       runs of both races (default 1)
          --quick        100 devices, one run
          -h, --help     this text

        ENVIRONMENT (scripts/benchmark-timing.sh sets them): REDIS_URL, POSTGRES_URL, FLOWRUN_BINARY (the
        release flowrun), FLOWRUN_MIGRATIONS (the Migrations folder), FLOWRUN_REGISTRY_SQL
        (scripts/demo-registry.sql).
        """

    /// The options, or nil when `--help` was asked for.
    static func parse(_ arguments: [String]) throws(BenchmarkFailure) -> TimingBenchmarkOptions? {
        var options = TimingBenchmarkOptions()
        var arguments = arguments[...]
        func value(after flag: String, in range: ClosedRange<Double>) throws(BenchmarkFailure) -> Double {
            guard let text = arguments.popFirst(), let value = Double(text), range.contains(value) else {
                throw BenchmarkFailure("\(flag) needs a number in \(range.lowerBound)…\(range.upperBound)")
            }
            return value
        }
        while let flag = arguments.popFirst() {
            switch flag {
            case "--devices": options.devices = Int(try value(after: flag, in: 1...100_000))
            case "--noise-m": options.noise = try value(after: flag, in: 0...100)
            case "--faulty": options.faulty = try value(after: flag, in: 0...1)
            case "--offline": options.offline = try value(after: flag, in: 0...1)
            case "--seconds": options.seconds = Int(try value(after: flag, in: 10...86_400))
            case "--runs": options.runs = Int(try value(after: flag, in: 1...100))
            case "--quick":
                options.devices = 100
                options.runs = 1
            case "-h", "--help": return nil
            default: throw BenchmarkFailure("unknown option \(flag)\n\n\(Self.usage)")
            }
        }
        return options
    }
}
