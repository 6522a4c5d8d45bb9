/// What `flowrun top` shows, computed from two scrapes of `/metrics` some seconds apart: per pipeline and
/// stage the flow of items, per consumer group how far behind it is, and the live and storage totals.
///
/// | column | from |
/// |---|---|
/// | in/s, out/s | `flow_stage_items_in_total`, `flow_stage_items_out_total`: increase ÷ seconds |
/// | queue | `flow_stage_queue_items` now |
/// | errors, errors/s | `flow_stage_errors_total`, every outcome: total now, increase ÷ seconds |
/// | p50 | `flow_stage_processing_seconds` buckets' increase: median time per item in the interval (`≤` the
/// lowest bucket's bound when it falls there) |
/// | busy | `flow_stage_busy_seconds_total`: increase ÷ seconds, the share of the interval the stage worked
/// (the one near 100% is what the others wait for; above 100%: items run at once) |
/// | lag, pending | `flowrun_consumer_lag_entries`, `flowrun_consumer_pending_entries` now |
/// | per consumer: pending, oldest | `flowrun_stream_pending_entries`, `flowrun_stream_pending_oldest_seconds` now (as the stream source last checked) |
/// | a pipeline's state | `flowrun_pipeline_running` now (running, or not: starting, draining, waiting to restart), `flowrun_pipeline_restarts_total` |
///
/// - Important: A rate is nil (shown `-`) without a previous scrape, or when the scrape lacks the metric;
///   a counter that went down (flowrun restarted between scrapes) counts from zero, as in Prometheus.
///   Pipelines come in `pipelines.yaml`'s order (durable-write, live-broadcast), then others by name;
///   stages in the order `stageOrder` gives for their pipeline, then others by name.
public struct TopTable: Sendable, Equatable {
    public struct StageRow: Sendable, Equatable {
        public var name: String
        public var inPerSecond: Double?
        public var outPerSecond: Double?
        public var queue: Double?
        public var errors: Double?
        public var errorsPerSecond: Double?
        public var p50Seconds: Double?
        /// The median fell in the lowest bucket: ``p50Seconds`` is that bucket's bound, an upper bound
        /// (interpolating from zero would make up a value).
        public var p50IsUpperBound = false
        /// The share of the interval the stage spent on items (1: all of it).
        public var busy: Double?
    }

    public struct PipelineSection: Sendable, Equatable {
        public var name: String
        /// `flowrun_pipeline_running`: 1 running, 0 not (starting, draining or waiting to restart); nil when
        /// the scrape does not say.
        public var running: Double?
        /// `flowrun_pipeline_restarts_total`: how often it was restarted after failing.
        public var restarts: Double?
        public var stages: [StageRow]
    }

    public struct GroupRow: Sendable, Equatable {
        public var stream: String
        public var group: String
        public var lag: Double?
        public var pending: Double?
    }

    /// One consumer of a pipeline's group, as the pipeline's stream source last checked its pending entries.
    public struct ConsumerRow: Sendable, Equatable {
        public var pipeline: String
        public var consumer: String
        public var pending: Double?
        /// How long its oldest pending entry has been idle.
        public var oldestSeconds: Double?
    }

    public var pipelines: [PipelineSection]
    public var consumerGroups: [GroupRow]
    /// Pending entries per consumer, by pipeline then consumer; empty when no stream source checked yet.
    public var consumers: [ConsumerRow]
    /// `flowrun_live_connections`; nil when live-broadcast does not run.
    public var liveConnections: Double?
    /// `flowrun_positions_written_total` (inserted and duplicates), now and per second.
    public var positionsWritten: Double?
    public var positionsWrittenPerSecond: Double?

    /// - Parameters:
    ///   - previous: The scrape before `current`, nil for the first one (no rates then).
    ///   - seconds: The time between the two scrapes; rates are nil unless it is > 0.
    ///   - stageOrder: Each pipeline's stage names in pipeline order (`Pipeline.stageNames`).
    public init(
        previous: MetricsSnapshot?,
        current: MetricsSnapshot,
        seconds: Double,
        stageOrder: [String: [String]] = [:]
    ) {
        let rates = Rates(previous: seconds > 0 ? previous : nil, current: current, seconds: seconds)
        self.pipelines = Self.stageNames(in: current, order: stageOrder).map { pipeline, stages in
            PipelineSection(
                name: pipeline,
                running: current.sum(Names.pipelineRunning, matching: ["pipeline": pipeline]),
                restarts: current.sum(Names.pipelineRestarts, matching: ["pipeline": pipeline]),
                stages: stages.map { rates.stage($0, of: pipeline) }
            )
        }
        self.consumerGroups = Self.groups(in: current)
        self.consumers = Self.consumers(in: current)
        self.liveConnections = current.sum(Names.liveConnections)
        self.positionsWritten = current.sum(Names.positionsWritten)
        self.positionsWrittenPerSecond = rates.perSecond(Names.positionsWritten)
    }

    /// The metric names read.
    enum Names {
        static let itemsIn = "flow_stage_items_in_total"
        static let itemsOut = "flow_stage_items_out_total"
        static let errors = "flow_stage_errors_total"
        static let processing = "flow_stage_processing_seconds"
        static let busy = "flow_stage_busy_seconds_total"
        static let queue = "flow_stage_queue_items"
        static let lag = "flowrun_consumer_lag_entries"
        static let pending = "flowrun_consumer_pending_entries"
        static let consumerPending = "flowrun_stream_pending_entries"
        static let consumerOldest = "flowrun_stream_pending_oldest_seconds"
        static let liveConnections = "flowrun_live_connections"
        static let positionsWritten = "flowrun_positions_written_total"
        static let pipelineRunning = "flowrun_pipeline_running"
        static let pipelineRestarts = "flowrun_pipeline_restarts_total"
    }

    /// Computes one stage's row from the two scrapes.
    private struct Rates {
        let previous: MetricsSnapshot?
        let current: MetricsSnapshot
        let seconds: Double

        func perSecond(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            guard let previous else { return nil }
            return self.current.increase(name, matching: labels, since: previous).map { $0 / self.seconds }
        }

        func stage(_ stage: String, of pipeline: String) -> StageRow {
            let labels = ["pipeline": pipeline, "stage": stage]
            var row = StageRow(
                name: stage,
                inPerSecond: self.perSecond(Names.itemsIn, labels),
                outPerSecond: self.perSecond(Names.itemsOut, labels),
                queue: self.current.sum(Names.queue, matching: labels),
                errors: self.current.sum(Names.errors, matching: labels),
                errorsPerSecond: self.perSecond(Names.errors, labels),
                p50Seconds: self.previous.flatMap { previous in
                    self.current.quantile(0.5, ofHistogram: Names.processing, matching: labels, since: previous)
                },
                busy: self.perSecond(Names.busy, labels)
            )
            if let p50 = row.p50Seconds,
                let lowest = self.current.lowestBucketBound(ofHistogram: Names.processing, matching: labels),
                p50 <= lowest
            {
                row.p50Seconds = lowest
                row.p50IsUpperBound = true
            }
            return row
        }
    }

    /// Every (pipeline, stage) labelling a per-stage metric, and every supervised pipeline (one that never
    /// started has no stage metrics yet), ordered (see the type's notes).
    private static func stageNames(in snapshot: MetricsSnapshot, order: [String: [String]]) -> [(String, [String])] {
        var stages: [String: Set<String>] = [:]
        for sample in snapshot.samples(Names.pipelineRunning) {
            if let pipeline = sample.labels["pipeline"] { stages[pipeline, default: []].formUnion([]) }
        }
        for name in [Names.itemsIn, Names.itemsOut, Names.queue, Names.errors] {
            for sample in snapshot.samples(name) {
                guard let pipeline = sample.labels["pipeline"], let stage = sample.labels["stage"] else { continue }
                stages[pipeline, default: []].insert(stage)
            }
        }
        let pipelines = Self.ordered(Set(stages.keys), first: FlowrunConfiguration.Pipelines.names)
        return pipelines.map { ($0, Self.ordered(stages[$0] ?? [], first: order[$0] ?? [])) }
    }

    /// The values of labels `first` and `second` of every sample of `names` that has both, without repeats.
    private static func labelPairs(
        _ first: String,
        _ second: String,
        of names: [String],
        in snapshot: MetricsSnapshot
    ) -> Set<[String]> {
        var pairs: Set<[String]> = []
        for sample in names.flatMap({ snapshot.samples($0) }) {
            guard let one = sample.labels[first], let other = sample.labels[second] else { continue }
            pairs.insert([one, other])
        }
        return pairs
    }

    private static func groups(in snapshot: MetricsSnapshot) -> [GroupRow] {
        let keys = Self.labelPairs("stream", "group", of: [Names.lag, Names.pending], in: snapshot)
        return keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            let labels = ["stream": key[0], "group": key[1]]
            return GroupRow(
                stream: key[0],
                group: key[1],
                lag: snapshot.value(Names.lag, labels),
                pending: snapshot.value(Names.pending, labels)
            )
        }
    }

    private static func consumers(in snapshot: MetricsSnapshot) -> [ConsumerRow] {
        let keys = Self.labelPairs(
            "pipeline",
            "consumer",
            of: [Names.consumerPending, Names.consumerOldest],
            in: snapshot
        )
        let pipelines = Self.ordered(Set(keys.map { $0[0] }), first: FlowrunConfiguration.Pipelines.names)
        return keys.sorted { key, other in
            let (rank, otherRank) = (pipelines.firstIndex(of: key[0]) ?? 0, pipelines.firstIndex(of: other[0]) ?? 0)
            return rank != otherRank ? rank < otherRank : key[1] < other[1]
        }.map { key in
            let labels = ["pipeline": key[0], "consumer": key[1]]
            return ConsumerRow(
                pipeline: key[0],
                consumer: key[1],
                pending: snapshot.value(Names.consumerPending, labels),
                oldestSeconds: snapshot.value(Names.consumerOldest, labels)
            )
        }
    }

    /// `names` in the order of `first`, then the others sorted.
    private static func ordered(_ names: Set<String>, first: [String]) -> [String] {
        first.filter { names.contains($0) } + names.subtracting(first).sorted()
    }
}
