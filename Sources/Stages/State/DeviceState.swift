import Flow

/// Updates the per-device state (``DeviceStateStore``) with every position, before it is written, and passes
/// the positions on, each marked ``PositionEntry/isNewest`` when it is newer than all the device's positions
/// seen before. durable-write's `device-state`.
///
/// A device not held yet (first seen since start, or evicted) is first started at its latest stored position
/// time (``StoredPositionTimes``), so `lastSeen` is right after a restart. That look-up asks for all new
/// devices of a chunk at once and is retried with backoff until it succeeds (``Flow/Retry/forever``: it fails
/// only when the database is down, and then nothing could be written anyway).
///
/// Metrics: `flowrun_device_state_devices{pipeline}` (gauge), `flowrun_device_state_evictions_total{pipeline}`.
///
/// - Important: Updating before the write is safe: a position whose write fails is delivered again, and
///   observing it twice cannot move `lastSeen` back.
public struct DeviceState: Stage {
    public typealias Input = PositionEntry
    public typealias Output = PositionEntry

    let store: DeviceStateStore
    let history: (any StoredPositionTimes)?
    let retry: Retry

    /// - Parameters:
    ///   - history: where a device not held yet starts; nil: it starts at its first position seen.
    ///   - retry: how a failed look-up of `history` is retried. Default: ``Flow/Retry/forever``.
    public init(store: DeviceStateStore, history: (any StoredPositionTimes)?, retry: Retry = .forever) {
        self.store = store
        self.history = history
        self.retry = retry
    }

    public func run(
        _ input: Inbox<PositionEntry>,
        _ output: Outbox<PositionEntry>,
        _ context: StageContext
    ) async throws {
        var metrics = DeviceMapMetrics(
            devices: "flowrun_device_state_devices",
            evictions: "flowrun_device_state_evictions_total",
            pipeline: context.pipelineName,
            factory: context.metricsFactory,
            evicted: self.store.evictions
        )
        for try await chunk in input {
            if let history = self.history {
                let unknown = self.store.unknown(among: chunk.lazy.map(\.position.deviceID))
                if !unknown.isEmpty {
                    let latest = try await context.retrying("read the devices' latest stored positions", self.retry) {
                        try await history.latest(of: unknown)
                    }
                    for device in unknown { self.store.seed(device, lastSeen: latest[device]) }
                }
            }
            var chunk = chunk
            chunk.withUnsafeMutableBufferPointer { entries in
                for index in entries.indices {
                    let entry = entries.baseAddress! + index
                    // Read in place: a copy of the position would retain and release its attributes (a cache
                    // miss each) for two fields.
                    entry.pointee.isNewest = self.store.observe(
                        device: entry.pointee.position.deviceID,
                        timestamp: entry.pointee.position.timestamp
                    )
                }
            }
            metrics.record(count: self.store.count, evicted: self.store.evictions)
            try await output.send(contentsOf: chunk)
        }
    }
}
