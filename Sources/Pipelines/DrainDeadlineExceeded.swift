import Flow

/// Pipelines whose graceful drain did not finish within `shutdown.drain_timeout`: they were stopped with
/// work in flight, and each says what it abandoned. flowrun exits non-zero with this as its last line.
///
/// - Important: Abandoning is always safe: an entry is acknowledged only once its row exists, so what a
///   pipeline abandons stays pending in the stream and is delivered again at the next start.
public struct DrainDeadlineExceeded: Error, CustomStringConvertible {
    /// One pipeline stopped at its drain deadline.
    public struct Abandonment: Sendable, Hashable, CustomStringConvertible {
        public var pipeline: String
        /// The drain deadline it exceeded.
        public var after: Duration
        /// What was left undone, as its ``PipelineKind/abandonedIfStoppedNow`` says.
        public var abandoned: String

        /// `durable-write did not drain within 1.0 seconds (shutdown.drain_timeout) and was stopped: …`
        public var description: String {
            "\(self.pipeline) did not drain within \(self.after) (shutdown.drain_timeout) and was stopped:"
                + " \(self.abandoned)"
        }
    }

    public var pipelines: [Abandonment]

    public var description: String {
        self.pipelines.map(\.description).joined(separator: "\n")
            + "\n(raise shutdown.drain_timeout, or look for what the pipeline was waiting on: PostgreSQL, Redis)"
    }
}

extension DrainDeadlineExceeded.Abandonment {
    /// The abandonment `error` reports, if it is a drain deadline; nil for any other error.
    init?(_ error: any Error, of pipeline: any PipelineKind) {
        guard case .drainTimedOut(let name, let after) = error as? PipelineError else { return nil }
        self.init(pipeline: name, after: after, abandoned: pipeline.abandonedIfStoppedNow)
    }
}
