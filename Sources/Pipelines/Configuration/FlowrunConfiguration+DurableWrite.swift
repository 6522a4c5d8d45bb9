import Stages

extension FlowrunConfiguration.Pipelines {
    /// The durable-write pipeline's settings (`pipelines.durable-write`): read the stream as a member of a
    /// consumer group, decode, update device state, write positions to PostgreSQL in batches, acknowledge what
    /// was persisted.
    public struct DurableWrite: PipelineSettings {
        /// `enabled`: whether this instance runs the pipeline. Default: `true` when the section is present
        /// (a pipeline absent from the file is disabled).
        public var enabled: Bool
        /// `stream`: the Redis Stream key positions are read from. Default: `telemetry:t`.
        public var stream = "telemetry:t"
        /// `group`: the consumer group; every instance running durable-write joins it under its
        /// ``FlowrunConfiguration/instance`` id. Default: `processor`.
        public var group = "processor"
        /// `start_at`: where a group that does not exist yet starts reading. Default: ``StartPosition/beginning``.
        public var startAt = StartPosition.beginning
        /// `read_count`: entries asked for per `XREADGROUP` (`COUNT`), ≥ 1. Default: 1,000.
        public var readCount = 1000
        /// `block`: how long one `XREADGROUP` waits for new entries (`BLOCK`), > 0. Default: 1 s.
        public var block: Duration = .seconds(1)
        /// `claim_idle`: pending entries idle this long (a dead consumer's, or a malformed entry left pending to
        /// be delivered again) are claimed with `XPENDING … IDLE` and `XCLAIM`, > 0. Default: 30 s.
        public var claimIdle: Duration = .seconds(30)
        /// `max_deliveries`: a malformed entry delivered this many times goes to the dead-letter stream, ≥ 1.
        /// Default: 3.
        public var maxDeliveries = 3
        /// `dead_letter_stream`: where malformed entries go; `nil` (an empty string in the file) means
        /// `<stream>:dead`, see ``deadLetterStreamName``. Default: `nil`.
        public var deadLetterStream: String?
        /// `batch`: how positions are grouped for one multi-row insert.
        public var batch = Batch()
        /// `device_state`: the per-device state map.
        public var deviceState = DeviceState()
        /// `writers`: concurrent PostgreSQL writer connections, ≥ 1. Default: 2.
        public var writers = 2

        /// The defaults of a pipeline whose section is present: enabled unless `enabled` says otherwise.
        public init() {
            self.enabled = true
        }

        /// The defaults, enabled or not.
        public init(enabled: Bool) {
            self.enabled = enabled
        }

        /// The dead-letter stream in effect: ``deadLetterStream``, or `<stream>:dead` when it is `nil`.
        public var deadLetterStreamName: String {
            self.deadLetterStream ?? "\(self.stream):dead"
        }

        /// Batching of positions before they are written (`batch`).
        public struct Batch: Sendable, Equatable {
            /// `batch.max`: positions per batch (one transaction), ≥ 1. Default: 5,000.
            ///
            /// Only a backlog fills a batch (at a race's rate, `within` sends it first), and there its size
            /// decides PostgreSQL's cost per row: 500 → 2,000 took its CPU per stored row from about 6 to
            /// 3.5–3.9 µs in `scripts/benchmark.sh` (fewer statements, commits and round trips), and 2,000 →
            /// 5,000 from 5.7–6.4 to 4.8–5.2 µs at a million entries into the hypertable (each statement sets
            /// up TimescaleDB's chunk dispatch again), for about 15 MB more peak RSS. 10,000 gained nothing
            /// more and held 10 MB more.
            public var max = 5000
            /// `batch.within`: how long a batch's first position waits for the batch to fill, > 0.
            /// Default: 20 ms.
            public var within: Duration = .milliseconds(20)

            public init() {}
        }

        /// The bounded, least-recently-used map of device state (`device_state`).
        public struct DeviceState: Sendable, Equatable {
            /// `device_state.capacity`: devices kept before the least recently seen is evicted, ≥ 1.
            /// Default: 10,000.
            public var capacity = DeviceStateStore.defaultCapacity

            public init() {}
        }

        /// Where a consumer group that does not exist yet starts reading the stream (`start_at`): `beginning`,
        /// `end`, or after a stream id (`<milliseconds>-<sequence>`, e.g. `1714667812123-0`).
        public typealias StartPosition = GroupStart
    }
}
