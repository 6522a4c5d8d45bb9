import BenchmarkSupport
import BrowserSupport
import Foundation

/// The map page's figures over the measured window, beside the WebSocket clients' latency of the same run and
/// issue 15's goals: main thread busy ≤ 30% of each second; marker lag p99 ≤ the WebSocket's p99 + 100 ms; no
/// console error.
struct BrowserReport {
    /// The main thread's busy share of each second of the window, and its parts over the whole window.
    var busyPerSecond: [Double]
    var busy: Double
    /// The main thread's CPU time over each second, and over the window (nil: unknown).
    var cpuPerSecond: [Double]
    var cpu: Double?
    var script: Double
    var styleAndLayout: Double
    /// XADD → the end of the main thread's rendering of the frame that moved the marker, ns, sorted.
    var markerLags: [Int64]
    /// XADD → the page's message handler applying the position, ns, sorted.
    var appliedLags: [Int64]
    var positionsInWindow: Int
    var framesPerSecond: Double
    var clockRoundTrip: Double
    var problems: [DevTools.Problem]
    var profile: String?

    init(
        measurement: BrowserMeasurement,
        sentAt: [Int64],
        window: Range<Int64>,
        positionsInWindow: Int,
        profile: String?
    ) {
        func lags(_ seen: [BrowserMeasurement.Seen]) -> [Int64] {
            var first: [Int: Int64] = [:]  // a marker redrawn unmoved (the projection changed) counts once
            for item in seen where item.position < sentAt.count && window.contains(sentAt[item.position]) {
                let at = measurement.readerNanoseconds(pageMilliseconds: item.pageMilliseconds)
                first[item.position] = min(first[item.position] ?? .max, at - sentAt[item.position])
            }
            return first.values.sorted()
        }
        self.markerLags = lags(measurement.drawn)
        self.appliedLags = lags(measurement.applied)
        self.positionsInWindow = positionsInWindow
        let metrics = measurement.metrics
        self.busyPerSecond = zip(metrics, metrics.dropFirst()).map { before, after in
            (after.task - before.task) / max(after.timestamp - before.timestamp, 1e-9)
        }
        self.cpuPerSecond = zip(metrics, metrics.dropFirst()).compactMap { before, after in
            guard let start = before.mainThreadCPU, let end = after.mainThreadCPU else { return nil }
            return (end - start) / max(after.timestamp - before.timestamp, 1e-9)
        }
        self.cpu = nil
        if let first = metrics.first, let last = metrics.last, last.timestamp > first.timestamp,
            let start = first.mainThreadCPU, let end = last.mainThreadCPU
        {
            self.cpu = (end - start) / (last.timestamp - first.timestamp)
        }
        if let first = metrics.first, let last = metrics.last, last.timestamp > first.timestamp {
            let seconds = last.timestamp - first.timestamp
            self.busy = (last.task - first.task) / seconds
            self.script = (last.script - first.script) / seconds
            self.styleAndLayout = (last.style + last.layout - first.style - first.layout) / seconds
            self.framesPerSecond = Double(measurement.framesAtEnd - measurement.framesAtStart) / seconds
        } else {
            self.busy = .nan
            self.script = .nan
            self.styleAndLayout = .nan
            self.framesPerSecond = .nan
        }
        self.clockRoundTrip = measurement.clockRoundTrip
        self.problems = measurement.problems
        self.profile = profile
    }

    /// The `fraction` percentile of sorted nanoseconds, in ms (nan when empty).
    static func percentile(_ sorted: [Int64], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = max(Int((fraction * Double(sorted.count)).rounded(.up)) - 1, 0)
        return Double(sorted[min(rank, sorted.count - 1)]) / 1e6
    }

    func print(beside report: BenchmarkReport) {
        let wsP99 = report.percentile(0.99)
        let markerP99 = Self.percentile(self.markerLags, 0.99)
        let worstSecond = self.busyPerSecond.max() ?? .nan
        let worstCPU = self.cpuPerSecond.max() ?? .nan
        let drawnShare = Double(self.markerLags.count) / Double(max(self.positionsInWindow, 1)) * 100
        Swift.print("")
        Swift.print(
            "the map page in headless chromium (1 tab, event 1): \(format(self.framesPerSecond, 1)) frames/s; "
                + "clocks related to ±\(format(self.clockRoundTrip / 2, 2)) ms"
        )
        let rows: [(String, String, String, Bool?)] = [
            (
                "main thread busy (wall), window / worst s",
                "\(format(self.busy * 100, 1)) % / \(format(worstSecond * 100, 1)) %",
                "≤ 30 % each second", worstSecond <= 0.3
            ),
            (
                "main thread CPU, window / worst s",
                self.cpu.map { "\(format($0 * 100, 1)) % / \(format(worstCPU * 100, 1)) %" } ?? "unknown",
                "≤ 30 % each second", self.cpu == nil ? nil : worstCPU <= 0.3
            ),
            (
                "  busy: script / style+layout",
                "\(format(self.script * 100, 1)) % / \(format(self.styleAndLayout * 100, 1)) %", "", nil
            ),
            (
                "marker lag from XADD p50 / p99",
                "\(format(Self.percentile(self.markerLags, 0.5), 2)) / \(format(markerP99, 2)) ms",
                "p99 ≤ \(format(wsP99 + 100, 1)) ms", markerP99 <= wsP99 + 100
            ),
            (
                "WebSocket latency p50 / p99",
                "\(format(report.percentile(0.5), 2)) / \(format(wsP99, 2)) ms", "(same run)", nil
            ),
            (
                "page applied from XADD p50 / p99",
                "\(format(Self.percentile(self.appliedLags, 0.5), 2)) / \(format(Self.percentile(self.appliedLags, 0.99), 2)) ms",
                "", nil
            ),
            (
                "markers moved / positions sent",
                "\(grouped(Double(self.markerLags.count))) / \(grouped(Double(self.positionsInWindow))) "
                    + "(\(format(drawnShare, 2)) %)",
                "", nil
            ),
            ("console errors", "\(self.problems.count)", "none", self.problems.isEmpty),
        ]
        Swift.print(pad("", 42) + pad("measured", 40) + pad("goal", 22))
        for (name, value, goal, met) in rows {
            Swift.print(pad(name, 42) + pad(value, 40) + pad(goal, 22) + (met.map { $0 ? "met" : "NOT MET" } ?? ""))
        }
        Swift.print(
            "busy per second: " + self.busyPerSecond.map { format($0 * 100, 0) }.joined(separator: " ") + " (%)"
        )
        Swift.print("CPU per second:  " + self.cpuPerSecond.map { format($0 * 100, 0) }.joined(separator: " ") + " (%)")
        for problem in self.problems.prefix(5) { Swift.print("console: \(problem)") }
        if let profile = self.profile { Swift.print("CPU profile of the page over the window: \(profile)") }
    }
}
