import CoreMetrics
import Flow
import Foundation

/// Times every position (CONTRACT §6.2, §6.3): takes each into the track of its device in every timed event
/// it is in (``RaceTimer``), and passes on, per chunk, the entries and the changes of the `crossings` table
/// they caused (``TimingBatch``). race-timing's `time-crossings`.
///
/// The events come from ``TimedEventsRegistry`` (taken again whenever it loads). An event is rebuilt from
/// what is stored before its first position after a start, and after its course or entries changed: each
/// device's stored positions within the event's window (and the `jump` reference age before it), read a page
/// of many devices at a time (``StoredFixesReader``), then the event's stored rows, which the results are
/// reconciled with (``TimingStore``; each read retried until it works). Before reading, it waits until
/// durable-write has stored every position race-timing has read (``StorageProgress``, asked every
/// `storagePoll`, a line logged at the start of a wait and every `storageLogEvery` of it): a position
/// race-timing acknowledged and the rebuild did not find would lose its crossings for good.
///
/// Metrics: `flowrun_positions_faulty_total{pipeline,reason}` (each position taken, as judged in `ts` order
/// when taken; `flowrun timing recompute` gives the final judgements), `flowrun_timing_too_late_total{pipeline}`,
/// `flowrun_timing_window_fixes{pipeline}` (gauge), `flowrun_timing_window_evictions_total{pipeline}`.
///
/// - Important: Run serially: a device's track depends on every position of the device. Positions more than
///   `late_window` behind their device's newest non-faulty one (or older than its track holds) are counted,
///   logged (one line per chunk: how many, the first one's entry and device), and reach the results only
///   through `flowrun timing recompute`.
public struct TimeCrossings: Stage {
    public typealias Input = PositionEntry
    public typealias Output = TimingBatch

    let registry: TimedEventsRegistry
    let store: any TimingStore
    let settings: TrackSettings
    let maxFixes: Int
    let now: @Sendable () -> Int64
    let stats: TimingStats?
    let retry: Retry
    let maxChangesPerBatch: Int
    let storage: (any StorageProgress)?
    let storagePoll: Duration
    let storageLogEvery: Duration

    /// - Parameters:
    ///   - maxFixes: the most fixes held by all tracks together.
    ///   - maxChangesPerBatch: the most changes one batch passed on carries (``TimingBatch/split(maxChanges:)``):
    ///     a chunk whose changes are more (a rebuild's) goes on as several batches.
    ///   - storage: whether durable-write has stored what race-timing read, asked before each rebuild; nil:
    ///     rebuild from what is stored at once.
    ///   - storagePoll: how long to wait before asking `storage` again.
    ///   - storageLogEvery: how often a wait for `storage` logs that it still waits.
    ///   - now: the processor's clock, µs since the epoch (a position's `received` moment for `future`), read
    ///     once per chunk.
    public init(
        registry: TimedEventsRegistry,
        store: any TimingStore,
        settings: TrackSettings,
        maxFixes: Int = RaceTimer.defaultMaxFixes,
        stats: TimingStats? = nil,
        retry: Retry = .forever,
        maxChangesPerBatch: Int = TimingBatch.maxChanges,
        storage: (any StorageProgress)? = nil,
        storagePoll: Duration = .milliseconds(100),
        storageLogEvery: Duration = .seconds(10),
        now: @escaping @Sendable () -> Int64 = FlagFaults.systemClock
    ) {
        self.registry = registry
        self.store = store
        self.settings = settings
        self.maxFixes = maxFixes
        self.stats = stats
        self.retry = retry
        self.maxChangesPerBatch = maxChangesPerBatch
        self.storage = storage
        self.storagePoll = storagePoll
        self.storageLogEvery = storageLogEvery
        self.now = now
    }

    public func run(_ input: Inbox<PositionEntry>, _ output: Outbox<TimingBatch>, _ context: StageContext) async throws
    {
        let labels = [("pipeline", context.pipelineName)]
        let tooLateCounter = Counter(
            label: "flowrun_timing_too_late_total",
            dimensions: labels,
            factory: context.metricsFactory
        )
        let held = Gauge(label: "flowrun_timing_window_fixes", dimensions: labels, factory: context.metricsFactory)
        let evictions = Counter(
            label: "flowrun_timing_window_evictions_total",
            dimensions: labels,
            factory: context.metricsFactory
        )
        let faulty = FaultCounters(context)
        var timer = RaceTimer(settings: self.settings, maxFixes: self.maxFixes)
        var version = -1
        var evictedReported = 0
        for try await chunk in input {
            let current = self.registry.current
            if current.version != version {
                timer.update(current.events)
                version = current.version
            }
            var changes: [CrossingChange] = []
            var tooLate = 0
            var firstTooLate: PositionEntry?
            let receivedAt = self.now()
            for entry in chunk {
                let fix = TrackFix(Fix(entry.position), receivedAt: receivedAt)
                let device = entry.position.deviceID
                var taken = timer.take(fix, device: device, changes: &changes)
                if !taken.needsSeed.isEmpty {
                    for event in taken.needsSeed {
                        changes += try await self.seed(event, into: &timer, context: context)
                    }
                    taken = timer.take(fix, device: device, changes: &changes)
                }
                if taken.taken { faulty.count(taken.fault) }
                if taken.tooLate {
                    tooLate += 1
                    firstTooLate = firstTooLate ?? entry
                }
            }
            if let first = firstTooLate {
                // One line per chunk: a tracker flushing hours of buffered positions is one event, not thousands.
                context.logger.notice(
                    """
                    positions too late to be timed (older than late_window or than what their track holds); \
                    `flowrun timing recompute` includes them
                    """,
                    metadata: [
                        "positions": "\(tooLate)", "first_entry": "\(first.entryID)",
                        "first_device": "\(first.position.deviceID)",
                        "late_window": "\(self.settings.lateWindow / 1_000_000)s",
                    ]
                )
            }
            tooLateCounter.increment(by: tooLate)
            held.record(timer.fixesHeld)
            if timer.evicted > evictedReported {
                evictions.increment(by: timer.evicted - evictedReported)
                evictedReported = timer.evicted
            }
            self.stats?.took(positions: chunk.count, tooLate: tooLate, crossings: timer.crossingsCounted)
            let batch = TimingBatch(entryIDs: chunk.map(\.entryID), changes: changes)
            try await output.send(contentsOf: batch.split(maxChanges: self.maxChangesPerBatch))
        }
    }

    /// Rebuilds `event` from the store; returns the changes that make its stored rows what the fixes give.
    private func seed(
        _ event: String,
        into timer: inout RaceTimer,
        context: StageContext
    ) async throws
        -> [CrossingChange]
    {
        guard let course = timer.timed.events[event]?.course else { return [] }
        let started = ContinuousClock.now
        try await self.waitUntilStored(before: event, context: context)
        let age = self.settings.rules.thresholds.referenceAge.microseconds
        let from = course.window.starts.map { $0 - age }
        timer.beginSeed(event: event)
        let store = self.store
        let retry = self.retry
        var reader = StoredFixesReader(devices: timer.devices(of: event)) { devices, cursor in
            let first = cursor.map { "after device \($0.device)" } ?? "from device \(devices.first ?? "")"
            return try await context.retrying("read the stored positions of \(devices.count) devices \(first)", retry) {
                try await store.storedFixes(
                    of: devices,
                    from: from,
                    to: course.window.ends,
                    after: cursor,
                    limit: StoredFixesReader.pageLimit
                )
            }
        }
        defer { reader.cancel() }
        while let run = try await reader.next() {
            timer.seed(event: event, device: run.device, fixes: run.fixes)
        }
        let stored = try await context.retrying("read the stored crossings of event \(event)", self.retry) {
            try await self.store.storedCrossings(of: event)
        }
        let changes = timer.finishSeed(event: event, stored: stored)
        context.logger.info(
            "event rebuilt from stored positions and crossings",
            metadata: [
                "event": "\(event)", "devices": "\(timer.devices(of: event).count)",
                "crossings": "\(timer.events[event]?.results.count ?? 0)", "changes": "\(changes.count)",
                "seconds": "\(started.duration(to: .now))",
            ]
        )
        return changes
    }

    /// Returns once ``storage`` says durable-write has stored everything race-timing has read (at once when
    /// there is no `storage`, or no group stores the stream).
    private func waitUntilStored(before event: String, context: StageContext) async throws {
        guard let storage = self.storage else { return }
        let clock = context.clock
        var waitStarted: Duration?
        var lastLogged = clock.now
        while true {
            let state = try await context.retrying("ask whether durable-write stored what race-timing read", self.retry)
            {
                try await storage.catchUp()
            }
            switch state {
            case .stored:
                if let waitStarted {
                    context.logger.info(
                        "durable-write has stored what race-timing read; rebuilding the event",
                        metadata: ["event": "\(event)", "waited": "\(clock.now - waitStarted)"]
                    )
                }
                return
            case .noStoringGroup(let group):
                context.logger.notice(
                    """
                    no consumer group stores this stream (durable-write's group is missing): the event is rebuilt \
                    from what `positions` holds now, and positions not stored there are timed only by \
                    `flowrun timing recompute`
                    """,
                    metadata: ["event": "\(event)", "storing_group": "\(group)"]
                )
                return
            case .behind(let through, let pending, let undelivered):
                let now = clock.now
                if waitStarted == nil || now - lastLogged >= self.storageLogEvery {
                    context.logger.notice(
                        """
                        waiting for durable-write to store what race-timing has read before rebuilding the event \
                        from `positions` (is durable-write running on this stream, on some instance?)
                        """,
                        metadata: [
                            "event": "\(event)", "through_entry": "\(through)",
                            "durable_write_pending": "\(pending.map(String.init) ?? "unknown")",
                            "durable_write_unread": "\(undelivered.map(String.init) ?? "unknown")",
                            "waiting": "\(now - (waitStarted ?? now))",
                        ]
                    )
                    lastLogged = now
                }
                waitStarted = waitStarted ?? now
                try await clock.sleep(for: self.storagePoll)
            }
        }
    }
}
