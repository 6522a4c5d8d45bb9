import Foundation

/// The figures of one run and the issue's goals beside them.
struct BenchmarkReport {
    var options: BenchmarkOptions
    /// Positions whose batch went out inside the measured window.
    var positionsInWindow: Int
    /// Deliveries due for those: each position × the clients watching its device's event.
    var expected: Int
    /// Those received (by the end of the straggler wait).
    var received: Int
    /// Latency of each received one, ns, sorted.
    var latencies: [Int64]
    var windowSeconds: Double
    var resources: Resources
    /// With `--browser`: the map page's figures.
    var browser: BrowserReport?

    /// What the processes used over the measured window.
    struct Resources {
        var flowrunCPUSeconds = 0.0
        var benchmarkCPUSeconds = 0.0
        var machineBusySeconds = 0.0
        /// flowrun's peak RSS over its whole life.
        var flowrunPeakKiB = 0
        var lagAtStart = ConsumerGroup.Lag.unknown
        var lagAtEnd = ConsumerGroup.Lag.unknown
    }

    /// Matches what the clients received with when the feeder sent it.
    init(
        options: BenchmarkOptions,
        fleet: Fleet,
        sentAt: [Int64],
        window: Range<Int64>,
        logs: [DeliveryLog],
        resources: Resources
    ) {
        let subscribers = fleet.subscribers(clients: options.clients)
        self.options = options
        self.positionsInWindow = 0
        self.expected = 0
        for (position, instant) in sentAt.enumerated() where window.contains(instant) {
            self.positionsInWindow += 1
            self.expected += subscribers[fleet.event(of: position % fleet.deviceCount)]
        }
        var latencies: [Int64] = []
        latencies.reserveCapacity(self.expected)
        for log in logs {
            for receipt in log.all where receipt.position < sentAt.count {
                let sent = sentAt[receipt.position]
                if window.contains(sent) { latencies.append(receipt.receivedAt - sent) }
            }
        }
        latencies.sort()
        self.received = latencies.count
        self.latencies = latencies
        self.windowSeconds = Double(window.upperBound - window.lowerBound) / 1e9
        self.resources = resources
    }

    /// The latencies' `fraction` percentile, ms.
    func percentile(_ fraction: Double) -> Double {
        BrowserReport.percentile(self.latencies, fraction)
    }

    var cpuPerDelivery: Double { self.resources.flowrunCPUSeconds / Double(max(self.received, 1)) * 1e6 }

    /// Whether the backlog stayed put: the end's lag is no more than the start's, or than 100 ms of input.
    var backlogSteady: Bool {
        guard case .entries(let end) = self.resources.lagAtEnd else { return false }
        if case .entries(let start) = self.resources.lagAtStart, end <= start { return true }
        return end <= Int64(self.options.rate / 10)
    }

    func print() {
        let o = self.options
        let r = self.resources
        let sentRate = Double(self.positionsInWindow) / self.windowSeconds
        Swift.print(
            "live-broadcast-benchmark: \(grouped(o.clients)) clients, \(o.events) events × \(o.devices) devices, "
                + "\(grouped(o.rate)) positions/s; \(format(self.windowSeconds, 1)) s measured after "
                + "\(o.warmUp.components.seconds) s of warm-up; flush_delay "
                + (o.flushDelay.map { "\($0) ms" } ?? "flowrun's default")
        )
        let fewest = o.clients / o.events
        let most = (o.clients + o.events - 1) / o.events
        Swift.print(
            "positions sent in the window: \(grouped(self.positionsInWindow)) (\(format(sentRate, 1))/s), "
                + "each to the \(fewest == most ? "\(most)" : "\(fewest)–\(most)") clients of its event"
        )
        Swift.print("")
        let ratio = self.expected == 0 ? 0 : Double(self.received) / Double(self.expected) * 100
        let rows: [(String, String, String, Bool)] = [
            (
                "deliveries received / expected",
                "\(grouped(self.received)) / \(grouped(self.expected)) (\(format(ratio, 3)) %)",
                "nothing lost", self.received == self.expected
            ),
            (
                "latency p50 / p99 / max",
                "\(format(self.percentile(0.5), 2)) / \(format(self.percentile(0.99), 2)) / "
                    + "\(format(self.percentile(1), 2)) ms",
                "p99 ≤ 25 ms", self.percentile(0.99) <= 25
            ),
            (
                "flowrun CPU per delivery",
                "\(format(self.cpuPerDelivery, 2)) µs (\(format(r.flowrunCPUSeconds, 2)) s CPU)",
                "≤ 3 µs", self.cpuPerDelivery <= 3
            ),
            (
                "flowrun peak RSS (VmHWM)", "\(format(Double(r.flowrunPeakKiB) / 1024, 1)) MB", "≤ 100 MB",
                r.flowrunPeakKiB <= 100 * 1024
            ),
            (
                "consumer group lag start → end", "\(r.lagAtStart) → \(r.lagAtEnd) entries",
                "no growing backlog", self.backlogSteady
            ),
        ]
        Swift.print(pad("", 32) + pad("measured", 44) + pad("goal", 20))
        for (name, value, goal, met) in rows {
            Swift.print(pad(name, 32) + pad(value, 44) + pad(goal, 20) + (met ? "met" : "NOT MET"))
        }
        Swift.print("")
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        Swift.print(
            "CPU in the window (\(Int(cores)) cores = \(format(cores * self.windowSeconds, 1)) s): flowrun "
                + "\(format(r.flowrunCPUSeconds, 1)) s, this benchmark (clients, feeder) "
                + "\(format(r.benchmarkCPUSeconds, 1)) s, everything else (Redis, other programs) "
                + "\(format(max(r.machineBusySeconds - r.flowrunCPUSeconds - r.benchmarkCPUSeconds, 0), 1)) s"
        )
    }
}

private func grouped(_ value: Int) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    return formatter.string(from: NSNumber(value: value)) ?? String(value)
}

func format(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
