import CoreMetrics
import Synchronization

/// What happened to an item whose processing threw, as counted in `flow_stage_errors_total{outcome}`.
public enum ErrorOutcome: String, Sendable, CaseIterable {
    /// The item was tried again after a backoff.
    case retried
    /// The item was dropped (counted and logged).
    case skipped
    /// The item was handed to the stage's dead-letter branch.
    case deadLettered = "dead_lettered"
    /// The error stopped the pipeline.
    case stopped
}

/// The metrics of one stage of one pipeline, made once when the pipeline starts.
///
/// Every stage gets these without its author writing a line, labelled `pipeline` and `stage`:
///
/// | metric | type | meaning |
/// |---|---|---|
/// | `flow_stage_items_in_total` | counter | items the stage took from its input |
/// | `flow_stage_items_out_total` | counter | items the stage sent on |
/// | `flow_stage_errors_total{outcome}` | counter | failed items by ``ErrorOutcome`` |
/// | `flow_stage_processing_seconds` | timer | time spent per item (see below) |
/// | `flow_stage_busy_seconds_total` | counter | time spent on items in all (see below) |
/// | `flow_stage_queue_items` | gauge | items waiting in the stage's input channel |
///
/// Processing time is measured per chunk of items and recorded as the chunk's mean per item: the time
/// from receiving a chunk to asking for the next one, minus the time spent waiting for room downstream.
/// Stages with concurrency record each item's own time instead. The busy counter adds up the same time
/// (each chunk's whole, each concurrent item's): its rate is the share of the wall clock the stage works, 1 for
/// a stage that never waits for input (above 1 for one running items at once).
public final class StageMetrics: Sendable {
    public let itemsIn: Counter
    public let itemsOut: Counter
    public let processing: CoreMetrics.Timer
    public let busy: FloatingPointCounter
    public let queueDepth: Gauge
    private let errorCounters: [Counter]

    init(pipeline: String, stage: String, factory: any MetricsFactory) {
        let dimensions = [("pipeline", pipeline), ("stage", stage)]
        self.itemsIn = Counter(label: "flow_stage_items_in_total", dimensions: dimensions, factory: factory)
        self.itemsOut = Counter(label: "flow_stage_items_out_total", dimensions: dimensions, factory: factory)
        self.processing = CoreMetrics.Timer(
            label: "flow_stage_processing_seconds",
            dimensions: dimensions,
            factory: factory
        )
        self.busy = FloatingPointCounter(
            label: "flow_stage_busy_seconds_total",
            dimensions: dimensions,
            factory: factory
        )
        self.queueDepth = Gauge(label: "flow_stage_queue_items", dimensions: dimensions, factory: factory)
        self.errorCounters = ErrorOutcome.allCases.map { outcome in
            Counter(
                label: "flow_stage_errors_total",
                dimensions: dimensions + [("outcome", outcome.rawValue)],
                factory: factory
            )
        }
    }

    public func errors(_ outcome: ErrorOutcome) -> Counter {
        self.errorCounters[ErrorOutcome.allCases.firstIndex(of: outcome)!]
    }
}

/// Measures one running stage's processing time per chunk (see ``StageMetrics``).
///
/// - Important: `chunkReceived` and `chunkFinished` are called by the single task consuming the stage's
///   input; `waited` may be called from any task sending on the stage's behalf, hence the atomics.
@usableFromInline
final class StageMeter: Sendable {
    @usableFromInline let origin = ContinuousClock.now
    @usableFromInline let chunkStart = Atomic<Int64>(-1)
    @usableFromInline let chunkItems = Atomic<Int>(0)
    @usableFromInline let waitedNanoseconds = Atomic<Int64>(0)

    @usableFromInline init() {}

    @inlinable
    func nanosecondsSinceOrigin() -> Int64 {
        self.origin.duration(to: .now).nanoseconds
    }

    /// Called before waiting for the next chunk: records the previous chunk's time per item, and adds it up.
    @inlinable
    func chunkFinished(into timer: CoreMetrics.Timer, busy total: FloatingPointCounter) {
        let start = self.chunkStart.load(ordering: .relaxed)
        let items = self.chunkItems.load(ordering: .relaxed)
        guard start >= 0, items > 0 else { return }
        let busy = self.nanosecondsSinceOrigin() - start - self.waitedNanoseconds.load(ordering: .relaxed)
        timer.recordNanoseconds(max(0, busy) / Int64(items))
        total.increment(by: Double(max(0, busy)) / 1e9)
        self.chunkStart.store(-1, ordering: .relaxed)
    }

    @inlinable
    func chunkReceived(items: Int) {
        self.chunkItems.store(items, ordering: .relaxed)
        self.waitedNanoseconds.store(0, ordering: .relaxed)
        self.chunkStart.store(self.nanosecondsSinceOrigin(), ordering: .relaxed)
    }

    @inlinable
    func waited(_ duration: Duration) {
        self.waitedNanoseconds.add(duration.nanoseconds, ordering: .relaxed)
    }
}

extension Duration {
    /// The whole nanoseconds in this duration (saturating).
    @inlinable
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product &+ attoseconds / 1_000_000_000
    }
}
