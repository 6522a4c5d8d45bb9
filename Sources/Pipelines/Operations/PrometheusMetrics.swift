import CoreMetrics
import Prometheus

/// The process's Prometheus metrics: a collector registry, and the swift-metrics factory that writes every
/// `Counter`, `Gauge`, `Recorder` and `Timer` into it.
///
/// `flowrun` calls ``bootstrap()`` once at start-up, before making any pipeline (a
/// `PipelineConfiguration` takes `MetricsSystem.factory` when it is made), and serves ``registry`` on
/// `/metrics` with an ``OperationsServer``. Tests make their own ``init(registry:)`` and pass ``factory``
/// where a `MetricsFactory` is asked for, leaving the process-wide `MetricsSystem` alone.
///
/// Naming (checked by `promtool check metrics`): counters end in `_total`, timers in `_seconds`, gauges in
/// neither. A swift-metrics `Timer` becomes a Prometheus histogram whose buckets, sum and `le` labels are
/// in seconds (swift-prometheus renders a `Duration` as seconds), with the buckets of ``timerBuckets``.
///
/// - Important: swift-prometheus stops the process (`fatalError`) when one name is used for two metric
///   types, or with and without labels; every metric of the project has one type and one label set.
public struct PrometheusMetrics: Sendable {
    /// What `/metrics` serves.
    public let registry: PrometheusCollectorRegistry
    /// Writes swift-metrics' metrics into ``registry``.
    public let factory: PrometheusMetricsFactory

    /// The histogram buckets of every `Timer`, 100 µs to 10 s: from one stage's time per item to a slow
    /// batch write or CMS request.
    public static let timerBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// A factory writing into `registry` (by default a new, empty one) with ``timerBuckets``.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.timerBuckets
        self.registry = registry
        self.factory = factory
    }

    /// Makes the process's metrics and bootstraps `MetricsSystem` with their factory, the first time it is
    /// called; every call returns the same registry.
    ///
    /// - Important: `MetricsSystem` may be bootstrapped once per process: call this before anything reads
    ///   `MetricsSystem.factory`, and never bootstrap it elsewhere (swift-metrics stops the process).
    public static func bootstrap() -> PrometheusCollectorRegistry {
        bootstrapped.registry
    }

    /// Initialised once, atomically, on first use (a global's lazy initialisation).
    private static let bootstrapped: PrometheusMetrics = {
        let metrics = PrometheusMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        return metrics
    }()

    /// The Prometheus text exposition (format 0.0.4) of ``registry``, with a `# HELP` line for every metric.
    public func exposition() -> [UInt8] {
        MetricsExposition.render(self.registry)
    }
}
