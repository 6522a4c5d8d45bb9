import BenchmarkSupport
import BrowserSupport
import Foundation

/// The live map page of one event in headless chromium (`/events/<id>?measure=1`, so its `measure.js` records what
/// it applied and drew), read over the benchmark's window through the DevTools protocol:
/// - `Performance.getMetrics` every second: `TaskDuration` is the time the page's main thread spent running tasks
///   (script, style, layout, paint, everything), `ScriptDuration`, `RecalcStyleDuration` and `LayoutDuration` parts
///   of it; their growth over a second is that second's busy time. It is wall time: on a machine whose cores are
///   all taken it includes the time the thread waited for one, so the main thread's CPU time is read too, from
///   /proc (the renderer processes' main threads);
/// - `flowrunMeasure.take()` every second: each position as the page applied it and each frame that moved markers
///   (which devices, at which `ts`, and when the main thread was done rendering that frame), in the page's clock;
/// - that clock against the benchmark's: round trips of `flowrunMeasure.clock()`, each taken as read at the middle
///   of its round trip, the shortest trips kept (so the relation is known to half a round trip, well under 1 ms).
///
/// - Important: Use it from one task; ``close()`` it on every path.
final class BrowserMeasurement {
    /// One `Performance.getMetrics` reading, seconds.
    struct Metrics {
        var timestamp: Double
        var task: Double
        var script: Double
        var style: Double
        var layout: Double
        /// CPU time of the renderers' main threads (/proc), seconds; nil when their processes are unknown.
        var mainThreadCPU: Double?
    }

    /// A position seen by the page: the feeder's position number, and when, in the page's clock (ms since the
    /// epoch; ``readerNanoseconds(pageMilliseconds:)`` gives the benchmark's).
    struct Seen {
        var position: Int
        var pageMilliseconds: Double
    }

    let chromium: Chromium
    let page: ChromiumPage
    let reader: DeliveryReader
    private(set) var metrics: [Metrics] = []
    private(set) var applied: [Seen] = []
    private(set) var drawn: [Seen] = []
    private(set) var framesRendered = 0
    /// The page's frames rendered when the window opened and at its last reading in the window.
    private(set) var framesAtStart = 0
    private(set) var framesAtEnd = 0
    /// Page clock (ms since the epoch) minus the reader's clock (ms after its origin), and the round trip it
    /// was read in (ms); the shortest trip wins.
    private var clockOffset: (offset: Double, roundTrip: Double)?
    private var profiling = false
    /// Chromium's renderer processes (`SystemInfo.getProcessInfo`); the measured page's is one of them, the
    /// others idle (about:blank), so the sum of their main threads' CPU time is the page's.
    private var renderers: [Int32] = []

    private init(chromium: Chromium, page: ChromiumPage, reader: DeliveryReader) {
        self.chromium = chromium
        self.page = page
        self.reader = reader
    }

    /// Launches chromium and opens the page of `eventID` on flowrun's live port, signed in to the CMS stub;
    /// returns once the page is subscribed and its measurement is loaded.
    static func open(port: Int, eventID: String, reader: DeliveryReader) async throws -> BrowserMeasurement {
        let chromium = try await Chromium.launch()
        let measurement = BrowserMeasurement(chromium: chromium, page: try await chromium.newPage(), reader: reader)
        do {
            let origin = "http://127.0.0.1:\(port)"
            _ = try await measurement.page.call("Performance.enable")
            try await measurement.page.setCookie(
                name: BenchmarkClients.cookieName,
                value: "valid-bench-browser",
                url: origin
            )
            try await measurement.page.navigate(origin + "/events/\(eventID)?measure=1")
            let deadline = ContinuousClock.now + .seconds(60)
            var state: String?
            while true {
                state = try? await measurement.page.evaluateString(
                    "window.flowrunMeasure && window.flowrunMap ? window.flowrunMap.state().connection : 'loading'"
                )
                if state == "live" { break }
                guard ContinuousClock.now < deadline else {
                    throw BenchmarkFailure(
                        "the map page was not live within 60 s (last state: \(state ?? "none"); "
                            + "console: \(chromium.devTools.problems))"
                    )
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await measurement.calibrate()
            measurement.renderers = (try? await measurement.rendererProcesses()) ?? []
        } catch {
            await chromium.close()
            throw error
        }
        return measurement
    }

    /// The window opens: the first metrics, what the page recorded during the warm-up (kept: the report picks
    /// positions by when they were sent), and with `profile`, the CPU profiler started.
    func begin(profile: Bool) async throws {
        if profile {
            _ = try await self.page.call("Profiler.enable")
            _ = try await self.page.call("Profiler.setSamplingInterval", ["interval": 200])
            _ = try await self.page.call("Profiler.start")
            self.profiling = true
        }
        try await self.sample()
        self.framesAtStart = self.framesRendered
    }

    /// One reading: the metrics and what the page recorded since the last one.
    func sample() async throws {
        let reply = try await self.page.call("Performance.getMetrics")
        let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any]
        var values: [String: Double] = [:]
        for metric in object?["metrics"] as? [[String: Any]] ?? [] {
            if let name = metric["name"] as? String, let value = metric["value"] as? Double { values[name] = value }
        }
        self.metrics.append(
            Metrics(
                timestamp: values["Timestamp"] ?? 0,
                task: values["TaskDuration"] ?? 0,
                script: values["ScriptDuration"] ?? 0,
                style: values["RecalcStyleDuration"] ?? 0,
                layout: values["LayoutDuration"] ?? 0,
                mainThreadCPU: self.renderers.isEmpty
                    ? nil
                    : self.renderers.compactMap { ProcessStatus.cpuSeconds(ofThread: $0, in: $0) }.reduce(0, +)
            )
        )
        try await self.take()
        self.framesAtEnd = self.framesRendered
    }

    /// The window is over (and the stragglers' wait): the last records, the clock again, the profile saved.
    func end(profile: String?) async throws {
        try await self.take()
        try await self.calibrate()
        if self.profiling, let profile {
            let reply = try await self.page.call("Profiler.stop")
            self.profiling = false
            guard let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any],
                let body = object["profile"]
            else { throw BenchmarkFailure("Profiler.stop answered no profile") }
            try JSONSerialization.data(withJSONObject: body).write(to: URL(fileURLWithPath: profile))
        }
    }

    /// The page's console errors and uncaught exceptions so far.
    var problems: [DevTools.Problem] { self.chromium.devTools.problems }

    func close() async {
        await self.chromium.close()
    }

    // MARK: - Reading the page

    /// The pids of chromium's renderer processes.
    private func rendererProcesses() async throws -> [Int32] {
        let reply = try await self.chromium.devTools.call("SystemInfo.getProcessInfo")
        let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any]
        return (object?["processInfo"] as? [[String: Any]] ?? []).compactMap { process in
            guard process["type"] as? String == "renderer", let id = process["id"] as? Int else { return nil }
            return Int32(id)
        }
    }

    /// `flowrunMeasure.take()`: positions applied, frames drawn, in the reader's clock.
    private func take() async throws {
        guard let text = try await self.page.evaluateString("flowrunMeasure.take()"),
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        else { throw BenchmarkFailure("flowrunMeasure.take() gave no JSON") }
        let arrivals = object["arrivals"] as? [Any] ?? []
        var index = 0
        while index + 2 < arrivals.count {
            if let at = arrivals[index] as? Double,
                let position = Self.position(arrivals[index + 1], arrivals[index + 2], fleet: self.reader.fleet)
            {
                self.applied.append(Seen(position: position, pageMilliseconds: at))
            }
            index += 3
        }
        for case let frame as [Any] in object["frames"] as? [Any] ?? [] {
            guard let at = frame.first as? Double else { continue }
            var index = 1
            while index + 1 < frame.count {
                if let position = Self.position(frame[index], frame[index + 1], fleet: self.reader.fleet) {
                    self.drawn.append(Seen(position: position, pageMilliseconds: at))
                }
                index += 2
            }
        }
        self.framesRendered = object["framesRendered"] as? Int ?? self.framesRendered
    }

    /// Five round trips of the page's clock; keeps the shortest one seen so far.
    private func calibrate() async throws {
        for _ in 0..<5 {
            let before = self.reader.nanoseconds(at: .now)
            guard let text = try await self.page.evaluateString("String(flowrunMeasure.clock())"),
                let pageClock = Double(text)
            else { throw BenchmarkFailure("flowrunMeasure.clock() gave no number") }
            let after = self.reader.nanoseconds(at: .now)
            let roundTrip = Double(after - before) / 1e6
            let offset = pageClock - Double(before + after) / 2e6
            if self.clockOffset.map({ roundTrip < $0.roundTrip }) ?? true {
                self.clockOffset = (offset, roundTrip)
            }
        }
    }

    /// The round trip the clocks were related in, ms (the relation's error is at most half of it).
    var clockRoundTrip: Double { self.clockOffset?.roundTrip ?? .nan }

    /// A time of the page's as the reader's (ns after its origin), by the best relation of the two clocks.
    func readerNanoseconds(pageMilliseconds: Double) -> Int64 {
        Int64(((pageMilliseconds - (self.clockOffset?.offset ?? 0)) * 1e6).rounded())
    }

    /// The feeder's number of the position of device `imei` at `ts` (ms since the epoch).
    private static func position(_ imei: Any, _ ts: Any, fleet: Fleet) -> Int? {
        guard let imei = (imei as? String).flatMap({ Int($0) }), let ts = ts as? Double else { return nil }
        let device = imei - Fleet.imeiBase
        let sequence = Int(ts) - Int(Fleet.startMicroseconds / 1000)
        guard (0..<fleet.deviceCount).contains(device), sequence >= 0 else { return nil }
        return fleet.position(device: device, sequence: sequence)
    }
}
