/// Recomputes an event's results from `positions` and the course alone (`flowrun timing recompute`, CONTRACT
/// §6.2–§6.5): after the organiser moved a gate, or for positions that arrived too late to be timed live.
///
/// For each device of the event's entries it reads every stored position within the event's window (and the
/// `jump` reference age before `starts_at`, for references), in `ts` order with their `received_at`, and
/// judges and times them as race-timing would with no limit of memory (``TrackSettings/unbounded(rules:maxGap:)``).
/// Then it reconciles the results with the event's stored rows (``EventTiming/reconcile(with:)``), applies the
/// changes to the `crossings` table in one transaction, appends each to the crossings stream in order, and
/// rewrites `faulty` and `fault` of the positions whose judgement in `ts` order differs from the stored one.
///
/// - Important: Only positions inside the event's window are re-judged: a device in several events is judged
///   over the positions of each event's window, and a position outside every window keeps its judgement.
///   The first positions of the window are judged against references read from the margin before it, whose
///   own judgements are not rewritten (so a bad fix there can mislead the `jump` rule for at most the
///   reference age, as §6.2 allows). The stream holds a change only after the table does: the changes are
///   written with the table to the outbox of changes to publish, appended, then taken out of it. If an
///   append fails, the recompute throws with the changes still in the outbox; race-timing appends them at
///   its next start (``PublishCrossings/publishLeftovers(store:redis:stream:)``).
public struct TimingRecompute: Sendable {
    let store: any TimingStore
    let judgements: any PositionJudgements
    let streams: any StreamCommands
    let crossingsStream: String
    let settings: TrackSettings

    /// - Parameters:
    ///   - crossingsStream: where each change is appended (`pipelines.race-timing.crossings_stream`).
    ///   - rules: the configured `faults:` thresholds.
    ///   - maxGap: `pipelines.race-timing.max_gap`.
    public init(
        store: any TimingStore,
        judgements: any PositionJudgements,
        streams: any StreamCommands,
        crossingsStream: String,
        rules: FaultRules,
        maxGap: Duration
    ) {
        self.store = store
        self.judgements = judgements
        self.streams = streams
        self.crossingsStream = crossingsStream
        self.settings = .unbounded(rules: rules, maxGap: maxGap)
    }

    /// Recomputes `event` and, unless `dryRun`, writes what changed. Returns what changed (or would have).
    public func recompute(_ event: TimedEvents.Event, dryRun: Bool = false) async throws -> Report {
        let course = event.course
        var timing = EventTiming(course: course, entries: event.entries)
        let from = course.window.starts.map { $0 - self.settings.rules.thresholds.referenceAge.microseconds }
        var report = Report(event: event)
        var rewrites: [(device: String, judgements: [PositionJudgement])] = []
        for device in Set(event.entries.flatMap(\.devices)).sorted() {
            var ignored: [CrossingChange] = []
            for fix in try await self.store.storedFixes(of: device, from: from, to: course.window.ends) {
                timing.take(fix, device: device, settings: self.settings, changes: &ignored)
            }
            let judged = Dictionary(
                (timing.tracks[device]?.fixes ?? []).map { ($0.timestamp, $0.fault) },
                uniquingKeysWith: { first, _ in first }
            )
            var rewrite: [PositionJudgement] = []
            let stored = try await self.judgements.storedJudgements(
                of: device,
                from: course.window.starts,
                to: course.window.ends
            )
            for old in stored {
                guard let fault = judged[old.timestamp] else { continue }
                let new = PositionJudgement(timestamp: old.timestamp, fault)
                report.positions += 1
                guard new != old else { continue }
                rewrite.append(new)
                report.rejudged[Report.Transition(from: old, to: new), default: 0] += 1
            }
            if !rewrite.isEmpty { rewrites.append((device, rewrite)) }
            // The counted crossings stay; the fixes are no longer needed.
            _ = timing.trim(device: device, to: 2)
        }
        let stored = try await self.store.storedCrossings(of: course.event)
        let previous = Dictionary(stored.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let changes = timing.reconcile(with: stored)
        report.changes = changes.map { Report.Change(change: $0, previous: previous[$0.crossing.key]) }
        guard !dryRun else { return report }
        let outboxIDs = changes.isEmpty ? [] : try await self.store.apply(changes)
        for change in changes {
            try await self.streams.append(to: self.crossingsStream, fields: change.streamFields)
        }
        // Appended: out of the outbox (had the append failed, race-timing's next start would append them).
        try await self.store.published(outboxIDs)
        for (device, judgements) in rewrites {
            try await self.judgements.rewrite(judgements, of: device)
        }
        report.written = true
        return report
    }
}
