import CoreMetrics
import Foundation
import Pipelines
import Testing

extension Integration {
    /// `GET /metrics`: what swift-metrics records, in Prometheus text that `promtool check metrics` accepts.
    @Suite struct MetricsEndpointTests {
        @Test func counterGaugeAndTimerAreScrapedInSecondsAndPassPromtool() async throws {
            let metrics = PrometheusMetrics()
            Counter(label: "flowrun_test_events_total", dimensions: [("kind", "a")], factory: metrics.factory)
                .increment(by: 3)
            Gauge(label: "flowrun_test_queue_items", factory: metrics.factory).record(7)
            let timer = CoreMetrics.Timer(
                label: "flowrun_test_request_seconds",
                dimensions: [("call", "x")],
                factory: metrics.factory
            )
            timer.record(duration: .milliseconds(1500))
            timer.record(duration: .microseconds(300))
            try await RunningOperations.run(readiness: try .forTests(pipelines: []), metrics: metrics) { running in
                let answer = try await running.get("/metrics")
                #expect(answer.status == 200)
                #expect(answer.contentType == "text/plain; version=0.0.4; charset=utf-8")
                let lines = Set(answer.body.split(separator: "\n").map(String.init))
                #expect(lines.contains("# TYPE flowrun_test_events_total counter"))
                #expect(lines.contains(#"flowrun_test_events_total{kind="a"} 3"#))
                #expect(lines.contains("# TYPE flowrun_test_queue_items gauge"))
                #expect(lines.contains { $0.hasPrefix("flowrun_test_queue_items 7") })
                #expect(lines.contains("# TYPE flowrun_test_request_seconds histogram"))
                // Buckets, sum and count in seconds: 300 µs and 1.5 s.
                #expect(lines.contains(#"flowrun_test_request_seconds_bucket{call="x",le="0.0001"} 0"#))
                #expect(lines.contains(#"flowrun_test_request_seconds_bucket{call="x",le="0.0005"} 1"#))
                #expect(lines.contains(#"flowrun_test_request_seconds_bucket{call="x",le="1.0"} 1"#))
                #expect(lines.contains(#"flowrun_test_request_seconds_bucket{call="x",le="2.5"} 2"#))
                #expect(lines.contains(#"flowrun_test_request_seconds_bucket{call="x",le="+Inf"} 2"#))
                #expect(lines.contains(#"flowrun_test_request_seconds_sum{call="x"} 1.5003"#))
                #expect(lines.contains(#"flowrun_test_request_seconds_count{call="x"} 2"#))
                for name in ["flowrun_test_events_total", "flowrun_test_queue_items", "flowrun_test_request_seconds"] {
                    #expect(lines.contains { $0.hasPrefix("# HELP \(name) ") }, "no HELP line for \(name)")
                }
                let promtool = try await Promtool.checkMetrics(answer.body)
                #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)\n\(answer.body)")
            }
        }

        /// Every metric name the sources use gets its own help text, and its name passes promtool for the
        /// type its suffix says (`_total` counter, `_seconds` timer, otherwise gauge).
        @Test func everyMetricOfTheSourcesHasHelpAndPassesPromtool() async throws {
            let names = try Self.metricNamesInSources()
            #expect(names.count >= 20, "found only \(names.sorted()) in Sources")
            let metrics = PrometheusMetrics()
            for name in names {
                if name.hasSuffix("_total") {
                    Counter(label: name, factory: metrics.factory).increment()
                } else if name.hasSuffix("_seconds") {
                    CoreMetrics.Timer(label: name, factory: metrics.factory).record(duration: .milliseconds(3))
                } else {
                    Gauge(label: name, factory: metrics.factory).record(1)
                }
            }
            let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
            for name in names.sorted() {
                let help = exposition.split(separator: "\n").first { $0.hasPrefix("# HELP \(name) ") }
                #expect(help != nil, "no HELP line for \(name)")
                #expect(
                    help?.contains("no help text") == false,
                    "\(name) has no entry in Sources/Pipelines/Operations/MetricHelp.swift"
                )
            }
            let promtool = try await Promtool.checkMetrics(exposition)
            #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)")
        }

        /// The string literals of Sources that look like metric names: `"flow_…"`, `"flowrun_…"`.
        static func metricNamesInSources() throws -> Set<String> {
            let sources = Servers.repository.appendingPathComponent("Sources")
            let files =
                FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
            var names: Set<String> = []
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for match in text.matches(of: #/"(flow(?:run)?_[a-z0-9_]+)"/#) {
                    names.insert(String(match.1))
                }
            }
            return names
        }
    }
}
