import CoreMetrics
import Logging

/// How a ``Pipeline`` runs. Every property has a default.
public struct PipelineConfiguration: Sendable {
    /// The channel between two stages, unless a stage asks for its own with ``Stage/buffer(_:)``.
    /// Default: ``Backpressure/default`` (1,024 items, resuming at 512).
    public var backpressure: Backpressure = .default
    /// How long a graceful drain may take before what is left is cancelled. Default: ``defaultDrainTimeout``.
    public var drainTimeout: Duration = Self.defaultDrainTimeout
    /// 30 seconds.
    public static let defaultDrainTimeout: Duration = .seconds(30)
    /// The clock of time-based stages and of the drain deadline. Default: the continuous clock.
    public var clock: FlowClock = .continuous
    /// The logger stages log to, with `pipeline` and `stage` metadata added. Default: label `flow`.
    public var logger = Logger(label: "flow")
    /// Where stage metrics go. Default: the process's bootstrapped `MetricsSystem.factory`.
    public var metricsFactory: any MetricsFactory = MetricsSystem.factory
    /// For tests: when set, every channel the pipeline makes between its stages reports here how many of its
    /// producers wait for room (``ChannelProbe``). Default: `nil`.
    package var channelProbe: ChannelProbe?

    public init() {}
}
