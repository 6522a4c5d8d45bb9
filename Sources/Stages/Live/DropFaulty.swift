import CoreMetrics
import Flow

/// Drops a position marked faulty (``PositionEntry/fault``, set by ``FlagFaults``): it is not sent live
/// (CONTRACT §5), and, placed before ``DropStale``, it does not advance its device's newest time, so a faulty
/// fix never hides a later good one. live-broadcast's `drop-faulty`.
///
/// Metric: `flowrun_live_faulty_dropped_total{pipeline}`.
public struct DropFaulty: ItemStage {
    public var options = ItemOptions<PositionEntry>()

    public init() {}

    public func process(_ entry: PositionEntry, into output: inout [PositionEntry], context: StageContext) {
        guard entry.fault != nil else { return output.append(entry) }
        Counter(
            label: "flowrun_live_faulty_dropped_total",
            dimensions: [("pipeline", context.pipelineName)],
            factory: context.metricsFactory
        )
        .increment()
    }
}
