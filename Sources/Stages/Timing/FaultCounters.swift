import CoreMetrics
import Flow

/// `flowrun_positions_faulty_total{pipeline,reason}`: one counter per ``Fault`` (its raw value the `reason`),
/// made once per stage run. Counted by flag-faults (as judged on arrival) and time-crossings (as judged in
/// `ts` order when taken).
struct FaultCounters {
    private let counters: [Fault: Counter]

    init(_ context: StageContext) {
        let pipeline = ("pipeline", context.pipelineName)
        self.counters = Dictionary(
            uniqueKeysWithValues: Fault.allCases.map { fault in
                (
                    fault,
                    Counter(
                        label: "flowrun_positions_faulty_total",
                        dimensions: [pipeline, ("reason", fault.rawValue)],
                        factory: context.metricsFactory
                    )
                )
            }
        )
    }

    /// Counts a position judged `fault` (nothing when nil: not faulty).
    func count(_ fault: Fault?) {
        if let fault { self.counters[fault]?.increment() }
    }
}
