import BenchmarkSupport
import Foundation

/// The command line: `live-broadcast-benchmark [--clients C] [--events E] [--devices D] [--rate R] [--duration S]`.
struct BenchmarkOptions: Sendable {
    /// WebSocket clients; client i subscribes to event i % events. Default: 1000.
    var clients = 1000
    /// Race events in the registry. Default: 10.
    var events = 10
    /// Devices per event, each in exactly one event. Default: 100.
    var devices = 100
    /// Positions appended per second, round-robin over every device. Default: 1000.
    var rate = 1000
    /// The measured window, after the warm-up. Default: 20 s.
    var duration: Duration = .seconds(20)
    /// flowrun's `flush_delay` in milliseconds; nil: flowrun's default.
    var flushDelay: Int?
    /// Positions sent before the window opens, not counted. Default: 2 s.
    var warmUp: Duration = .seconds(2)
    /// How long the benchmark waits after the window for deliveries still on their way. Default: 5 s.
    var stragglers: Duration = .seconds(5)

    static let usage = """
        USAGE: live-broadcast-benchmark [--clients C] [--events E] [--devices D] [--rate R] [--duration S]
                                        [--flush-delay MS]

        The real flowrun (live-broadcast only) between a Redis stream and C WebSocket clients, all on this
        machine: a feeder appends R positions/s round-robin over E events × D devices; client i watches event
        i % E. After a 2 s warm-up it measures S seconds: deliveries received / expected, latency from the XADD
        to the client's read, flowrun's CPU per delivery and peak RSS, and the consumer group's lag.

        OPTIONS:
          --clients C    WebSocket clients (default 1000)
          --events E     race events (default 10)
          --devices D    devices per event (default 100)
          --rate R       positions per second (default 1000)
          --duration S   measured seconds (default 20)
          --flush-delay MS  flowrun's live-broadcast flush_delay in ms, 0 or more (default: flowrun's own)
          -h, --help     this text

        ENVIRONMENT (scripts/benchmark-live.sh sets them): REDIS_URL, POSTGRES_URL, FLOWRUN_BINARY (the release
        flowrun), FLOWRUN_MIGRATIONS (the Migrations folder).

        EXAMPLE:
          scripts/benchmark-live.sh --rate 2000
        """

    /// The options, or nil when `--help` was asked for.
    static func parse(_ arguments: [String]) throws(BenchmarkFailure) -> BenchmarkOptions? {
        var options = BenchmarkOptions()
        var arguments = arguments[...]
        while let flag = arguments.popFirst() {
            if flag == "-h" || flag == "--help" { return nil }
            guard let text = arguments.popFirst() else { throw BenchmarkFailure("\(flag) needs a value") }
            let least = flag == "--flush-delay" ? 0 : 1
            guard let value = Int(text), value >= least else {
                throw BenchmarkFailure("\(flag) needs a whole number ≥ \(least), found \"\(text)\"")
            }
            switch flag {
            case "--clients": options.clients = value
            case "--events": options.events = value
            case "--devices": options.devices = value
            case "--rate": options.rate = value
            case "--duration": options.duration = .seconds(value)
            case "--flush-delay": options.flushDelay = value
            default: throw BenchmarkFailure("unknown option \(flag) (see --help)")
            }
        }
        guard options.events * options.devices < 1_000_000_000 else {
            throw BenchmarkFailure("--events × --devices must stay below 10^9 (15-digit IMEIs)")
        }
        return options
    }
}
