import Stages

/// CONTRACT §6's definition of an event's `crossings` rows, computed here, independently of race-timing's
/// pipeline, from what is stored: each device's positions read back in `ts` order (with their `received_at`)
/// and timed by the engine's ``EventTiming`` without limits (``TrackSettings/unbounded(rules:maxGap:)``),
/// as `flowrun timing recompute` does.
enum DefinitionCheck {
    static func rows(
        of event: TimedEvents.Event,
        store: PostgresTimingStore,
        rules: FaultRules = FaultRules(),
        maxGap: Duration = TrackSettings.defaultMaxGap
    ) async throws -> [CrossingRecord.Key: CrossingRecord] {
        var timing = EventTiming(course: event.course, entries: event.entries)
        let settings = TrackSettings.unbounded(rules: rules, maxGap: maxGap)
        let window = event.course.window
        var changes: [CrossingChange] = []
        for device in timing.devices.sorted() {
            for fix in try await store.storedFixes(of: device, from: window.starts, to: window.ends) {
                timing.take(fix, device: device, settings: settings, changes: &changes)
                changes.removeAll(keepingCapacity: true)
            }
        }
        return timing.results
    }

    /// How many rows differ from the definition: a row missing, extra, or with another `ts`, `seq` or
    /// `device_id`.
    static func differences(_ rows: [CrossingRecord], definition: [CrossingRecord.Key: CrossingRecord]) -> Int {
        let table = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let keys = Set(table.keys).union(definition.keys)
        return keys.filter { table[$0] != definition[$0] }.count
    }
}
