import Stages

extension FlowrunConfiguration.Pipelines {
    /// The race-timing pipeline's settings (`pipelines.race-timing`): read the stream in a durable consumer
    /// group of its own, time every position against the courses of its events, write the `crossings` table,
    /// append each change to the crossings stream, acknowledge.
    public struct RaceTiming: PipelineSettings {
        /// `enabled`: whether this instance runs the pipeline. Default: `true` when the section is present
        /// (a pipeline absent from the file is disabled).
        public var enabled: Bool
        /// `stream`: the Redis Stream key positions are read from. Default: `telemetry:t`.
        public var stream = "telemetry:t"
        /// `group`: the consumer group; every instance running race-timing joins it. Default: `race-timing`.
        public var group = "race-timing"
        /// `start_at`: where a group that does not exist yet starts reading. Default: the beginning.
        public var startAt = GroupStart.beginning
        /// `read_count`: entries asked for per `XREADGROUP`, ≥ 1. Default: 1,000.
        public var readCount = 1000
        /// `block`: how long one `XREADGROUP` waits for new entries, > 0. Default: 1 s.
        public var block: Duration = .seconds(1)
        /// `claim_idle`: pending entries idle this long (a dead instance's) are claimed, > 0. Default: 30 s.
        public var claimIdle: Duration = .seconds(30)
        /// `crossings_stream`: where each change of the `crossings` table is appended (CONTRACT §6.5).
        /// Default: `timing:crossings`.
        public var crossingsStream = "timing:crossings"
        /// `refresh`: how often the courses and entries are read again from the CMS's registry, > 0.
        /// Default: 30 s (the cadence of live-broadcast's device → events map).
        public var refresh = DeviceEvents.defaultRefresh
        /// `late_window`: a position up to this far behind its device's newest non-faulty one is timed in its
        /// place by `ts`; an older one is counted too late, > 0. Default: 1 h.
        public var lateWindow = TrackSettings.defaultLateWindow
        /// `max_gap`: two consecutive positions further apart form no segment (CONTRACT §6.3), > 0.
        /// Default: 300 s.
        public var maxGap = TrackSettings.defaultMaxGap
        /// `window`: the memory the late window may take.
        public var window = Window()

        public init() {
            self.enabled = true
        }

        public init(enabled: Bool) {
            self.enabled = enabled
        }

        /// The bounds of the late window's memory (`window`); beyond them the oldest positions are let go
        /// (counted in `flowrun_timing_window_evictions_total`), and a later position older than those held
        /// is too late.
        public struct Window: Sendable, Equatable {
            /// `window.max_positions_per_device`: positions held per device and event, ≥ 2. Default: 4,000
            /// (an hour at 1 Hz, with margin).
            public var maxPositionsPerDevice = TrackSettings.defaultMaxFixesPerDevice
            /// `window.max_positions`: positions held in all, ≥ 2 (24 bytes each). Default: 500,000.
            public var maxPositions = RaceTimer.defaultMaxFixes

            public init() {}
        }

        public static var fields: [ConfigurationField<Self>] {
            [
                .value("enabled", \.enabled, .bool),
                .value("stream", \.stream, .nonEmpty("stream key")),
                .value("group", \.group, .nonEmpty("group name")),
                .value("start_at", \.startAt, .startPosition),
                .value("read_count", \.readCount, .count),
                .value("block", \.block, .duration(positive: true)),
                .value("claim_idle", \.claimIdle, .duration(positive: true)),
                .value("crossings_stream", \.crossingsStream, .nonEmpty("stream key")),
                .value("refresh", \.refresh, .duration(positive: true)),
                .value("late_window", \.lateWindow, .duration(positive: true)),
                .value("max_gap", \.maxGap, .duration(positive: true)),
                .section(
                    "window",
                    \.window,
                    [
                        .value("max_positions_per_device", \.maxPositionsPerDevice, .atLeast(2)),
                        .value("max_positions", \.maxPositions, .atLeast(2)),
                    ]
                ),
            ]
        }
    }
}
