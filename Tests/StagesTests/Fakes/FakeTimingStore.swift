import Stages

/// race-timing's store in memory: stored fixes per device, the `crossings` table, and every read and write.
final class FakeTimingStore: TimingStore {
    struct State: Sendable {
        var fixes: [String: [TrackFix]] = [:]
        var table: [CrossingRecord.Key: CrossingRecord] = [:]
        /// The devices whose fixes were read, in order (each device of a page read once per page).
        var fixReads: [String] = []
        /// Pages of fixes read.
        var pages = 0
        /// Each `apply`'s changes.
        var applied: [[CrossingChange]] = []
        /// Changes written and not published, by outbox id.
        var outbox: [(id: Int64, change: CrossingChange)] = []
        var nextID: Int64 = 1
    }

    let state = Watched(State())

    init(fixes: [String: [TrackFix]] = [:], table: [CrossingRecord] = []) {
        self.state.update {
            $0.fixes = fixes
            $0.table = Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0) })
        }
    }

    func storedFixes(
        of devices: [String],
        from: Int64?,
        to: Int64?,
        after cursor: StoredFixesPage.Cursor?,
        limit: Int
    ) async throws -> StoredFixesPage {
        self.state.update { state in
            state.fixReads += devices
            state.pages += 1
            return StoredFixesPage.of(
                { state.fixes[$0] ?? [] },
                devices: devices,
                from: from,
                to: to,
                after: cursor,
                limit: limit
            )
        }
    }

    func storedCrossings(of event: String) async throws -> [CrossingRecord] {
        self.state.read { $0.table.values.filter { $0.event == event } }
    }

    func apply(_ changes: [CrossingChange]) async throws -> [Int64] {
        self.state.update {
            $0.applied.append(changes)
            var ids: [Int64] = []
            for change in changes {
                $0.table[change.crossing.key] = change.operation == .upsert ? change.crossing : nil
                $0.outbox.append(($0.nextID, change))
                ids.append($0.nextID)
                $0.nextID += 1
            }
            return ids
        }
    }

    func unpublished() async throws -> [(id: Int64, change: CrossingChange)] {
        self.state.read(\.outbox)
    }

    func published(_ ids: [Int64]) async throws {
        self.state.update { state in state.outbox.removeAll { ids.contains($0.id) } }
    }
}

/// The registry's timed events, as a test sets them.
final class FakeTimedEventsReader: TimedEventsReader {
    let events = Watched(TimedEvents.none)

    init(_ events: TimedEvents) {
        self.events.update { $0 = events }
    }

    func timedEvents() async throws -> TimedEvents {
        self.events.read { $0 }
    }
}
