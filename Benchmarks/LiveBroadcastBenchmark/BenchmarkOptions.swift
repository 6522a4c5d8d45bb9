import BenchmarkSupport
import Foundation

/// The command line: `live-broadcast-benchmark [--browser] [--clients C] [--events E] [--devices D] [--rate R]
/// [--duration S]`.
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
    /// The map page in headless chromium too, watching event 0 (``BrowserMeasurement``). Its defaults: 1 client,
    /// 1 event of 1,000 devices.
    var browser = false
    /// With `browser`: where to save a CPU profile of the page's main thread over the window (DevTools
    /// `Profiler`, a `.cpuprofile` file chromium's DevTools opens).
    var profile: String?

    static let usage = """
        USAGE: live-broadcast-benchmark [--clients C] [--events E] [--devices D] [--rate R] [--duration S]
                                        [--flush-delay MS]
               live-broadcast-benchmark --browser [--profile FILE] [options above]

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
          --browser      also open the live map page of event 1 in headless chromium (`?measure=1`) and measure
                         it over the same window: its main thread's busy time per second (DevTools
                         Performance.getMetrics, TaskDuration: wall time) and CPU time per second (/proc), the
                         lag from each position's XADD to the frame that moved its marker (p50/p99), beside the
                         WebSocket clients' latency, and the page's console errors. Defaults then:
                         --clients 1 --events 1 --devices 1000 (--rate 1000, --duration 20)
          --profile FILE with --browser: save a CPU profile of the page over the window (DevTools Profiler)
          -h, --help     this text

        ENVIRONMENT (scripts/benchmark-live.sh sets them): REDIS_URL, POSTGRES_URL, FLOWRUN_BINARY (the release
        flowrun), FLOWRUN_MIGRATIONS (the Migrations folder); with --browser, CHROMIUM (default /usr/bin/chromium).

        EXAMPLES:
          scripts/benchmark-live.sh --rate 2000
          scripts/benchmark-live.sh --browser
        """

    /// The options, or nil when `--help` was asked for.
    static func parse(_ arguments: [String]) throws(BenchmarkFailure) -> BenchmarkOptions? {
        var options = BenchmarkOptions()
        var given: [String: Int] = [:]
        var arguments = arguments[...]
        while let flag = arguments.popFirst() {
            if flag == "-h" || flag == "--help" { return nil }
            if flag == "--browser" {
                options.browser = true
                continue
            }
            guard let text = arguments.popFirst() else { throw BenchmarkFailure("\(flag) needs a value") }
            if flag == "--profile" {
                options.profile = text
                continue
            }
            let least = flag == "--flush-delay" ? 0 : 1
            guard let value = Int(text), value >= least else {
                throw BenchmarkFailure("\(flag) needs a whole number ≥ \(least), found \"\(text)\"")
            }
            guard ["--clients", "--events", "--devices", "--rate", "--duration", "--flush-delay"].contains(flag) else {
                throw BenchmarkFailure("unknown option \(flag) (see --help)")
            }
            given[flag] = value
        }
        if options.browser {
            options.clients = 1
            options.events = 1
            options.devices = 1000
        } else if options.profile != nil {
            throw BenchmarkFailure("--profile needs --browser")
        }
        options.clients = given["--clients"] ?? options.clients
        options.events = given["--events"] ?? options.events
        options.devices = given["--devices"] ?? options.devices
        options.rate = given["--rate"] ?? options.rate
        options.duration = given["--duration"].map { Duration.seconds($0) } ?? options.duration
        options.flushDelay = given["--flush-delay"]
        guard options.events * options.devices < 1_000_000_000 else {
            throw BenchmarkFailure("--events × --devices must stay below 10^9 (15-digit IMEIs)")
        }
        return options
    }
}
