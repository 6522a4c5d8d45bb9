import CoreMetrics

/// `flowrun_decode_errors_total{pipeline, reason}`: malformed entries by ``DecodeError/Reason/code``, counted
/// by the stage each pipeline routes them to.
struct DecodeMetrics: Sendable {
    let pipeline: String
    let factory: any MetricsFactory

    func counter(for failure: any Error) -> Counter {
        Counter(
            label: "flowrun_decode_errors_total",
            dimensions: [("pipeline", self.pipeline), ("reason", Self.code(of: failure))],
            factory: self.factory
        )
    }

    /// The reason's short code (of a position's or a crossing's entry), `internal` for an error that is not a
    /// decode error.
    static func code(of failure: any Error) -> String {
        (failure as? DecodeError)?.reason.code ?? (failure as? CrossingStreamError)?.reason.code ?? "internal"
    }
}
