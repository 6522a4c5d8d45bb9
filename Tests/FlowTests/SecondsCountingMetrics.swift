import CoreMetrics
import MetricsTestKit
import Synchronization

/// `TestMetrics`, and floating-point counters kept exactly (`TestMetrics` leaves them to swift-metrics'
/// default, which rounds each one into an integer counter): for the seconds a stage was busy.
final class SecondsCountingMetrics: MetricsFactory {
    let test = TestMetrics()
    private let totals = Mutex<[String: Double]>([:])

    /// The total of the floating-point counter `label` with these dimensions.
    func total(_ label: String, _ dimensions: [(String, String)]) -> Double? {
        self.totals.withLock { $0[Self.key(label, dimensions)] }
    }

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: ",")
    }

    final class Handler: FloatingPointCounterHandler {
        let owner: SecondsCountingMetrics
        let key: String

        init(owner: SecondsCountingMetrics, key: String) {
            self.owner = owner
            self.key = key
        }

        func increment(by amount: Double) { self.owner.totals.withLock { $0[self.key, default: 0] += amount } }
        func reset() { self.owner.totals.withLock { $0[self.key] = 0 } }
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let key = Self.key(label, dimensions)
        self.totals.withLock { $0[key] = $0[key] ?? 0 }
        return Handler(owner: self, key: key)
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        self.test.makeCounter(label: label, dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        self.test.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        self.test.makeTimer(label: label, dimensions: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        self.test.makeMeter(label: label, dimensions: dimensions)
    }

    func destroyCounter(_ handler: any CounterHandler) { self.test.destroyCounter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { self.test.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { self.test.destroyTimer(handler) }
    func destroyMeter(_ handler: any MeterHandler) { self.test.destroyMeter(handler) }
}
