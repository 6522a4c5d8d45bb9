import CoreMetrics
import Synchronization

/// A metrics factory that keeps what each metric recorded, by label and dimensions, for a test to read.
///
/// (MetricsTestKit's `TestMetrics` would do; the IntegrationTests target does not depend on it.)
final class RecordingMetrics: MetricsFactory, Sendable {
    /// Every value recorded (a counter's increments, a gauge's or timer's values in recording order).
    private let recorded = Mutex<[String: [Double]]>([:])

    /// The values recorded by the metric with this label and these dimensions (in any order).
    func values(_ label: String, _ dimensions: [(String, String)] = []) -> [Double] {
        self.recorded.withLock { $0[Self.key(label, dimensions)] ?? [] }
    }

    /// A counter's total.
    func count(_ label: String, _ dimensions: [(String, String)] = []) -> Int {
        Int(self.values(label, dimensions).reduce(0, +))
    }

    fileprivate func record(_ key: String, _ value: Double) {
        self.recorded.withLock { $0[key, default: []].append(value) }
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }).joined(separator: "|")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(self, Self.key(label, dimensions))
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(self, Self.key(label, dimensions))
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(self, Self.key(label, dimensions))
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let metrics: RecordingMetrics
        let key: String

        init(_ metrics: RecordingMetrics, _ key: String) {
            self.metrics = metrics
            self.key = key
        }

        func increment(by amount: Int64) { self.metrics.record(self.key, Double(amount)) }
        func reset() {}
        func record(_ value: Int64) { self.metrics.record(self.key, Double(value)) }
        func record(_ value: Double) { self.metrics.record(self.key, value) }
        func recordNanoseconds(_ duration: Int64) { self.metrics.record(self.key, Double(duration)) }
    }
}
