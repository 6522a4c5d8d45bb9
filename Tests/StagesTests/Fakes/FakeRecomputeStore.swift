import Stages

/// The `positions` and `crossings` tables as race-timing and `flowrun timing recompute` see them
/// (``TimingStore``, ``PositionJudgements``), in memory: records every write. For `TimingRecompute`'s tests;
/// race-timing's stages use ``FakeTimingStore``.
final class FakeRecomputeStore: TimingStore, PositionJudgements {
    struct Stored: Sendable, Hashable {
        var fix: TrackFix
        var judgement: PositionJudgement
    }

    struct State: Sendable {
        /// IMEI → its positions in `ts` order.
        var positions: [String: [Stored]] = [:]
        /// The `crossings` table.
        var crossings: [CrossingRecord.Key: CrossingRecord] = [:]
        /// Every `apply` (its changes) and every `rewrite` (device and judgements), in order.
        var applied: [[CrossingChange]] = []
        var rewritten: [(device: String, judgements: [PositionJudgement])] = []
        /// Outbox ids of changes applied and not published yet.
        var outbox: [Int64] = []
    }

    let state = Watched(State())

    /// Stores `fixes` of `device` with the judgement `stored` gives each (default: not faulty).
    func store(_ fixes: [TrackFix], of device: String, judged stored: (TrackFix) -> Fault? = { _ in nil }) {
        let rows = fixes.map { Stored(fix: $0, judgement: PositionJudgement(timestamp: $0.timestamp, stored($0))) }
        self.state.update { state in
            state.positions[device, default: []] += rows
            state.positions[device]?.sort { $0.fix.timestamp < $1.fix.timestamp }
        }
    }

    func judgements(of device: String) -> [PositionJudgement] {
        self.state.read { $0.positions[device]?.map(\.judgement) ?? [] }
    }

    private func rows(of device: String, from: Int64?, to: Int64?) -> [Stored] {
        self.state.read { state in
            (state.positions[device] ?? []).filter { row in
                let ts = row.fix.timestamp
                return ts >= (from ?? .min) && ts <= (to ?? .max)
            }
        }
    }

    func storedFixes(
        of devices: [String],
        from: Int64?,
        to: Int64?,
        after cursor: StoredFixesPage.Cursor?,
        limit: Int
    ) async throws -> StoredFixesPage {
        StoredFixesPage.of(
            { self.rows(of: $0, from: from, to: to).map(\.fix) },
            devices: devices,
            from: from,
            to: to,
            after: cursor,
            limit: limit
        )
    }

    func storedCrossings(of event: String) async throws -> [CrossingRecord] {
        self.state.read { $0.crossings.values.filter { $0.event == event }.sorted { $0.key < $1.key } }
    }

    func apply(_ changes: [CrossingChange]) async throws -> [Int64] {
        self.state.update { state in
            state.applied.append(changes)
            for change in changes {
                switch change.operation {
                case .upsert: state.crossings[change.crossing.key] = change.crossing
                case .remove: state.crossings[change.crossing.key] = nil
                }
            }
            let ids = changes.indices.map { Int64(state.outbox.count + $0 + 1) }
            state.outbox += ids
            return ids
        }
    }

    func unpublished() async throws -> [(id: Int64, change: CrossingChange)] { [] }

    func published(_ ids: [Int64]) async throws {
        self.state.update { state in state.outbox.removeAll { ids.contains($0) } }
    }

    func storedJudgements(of device: String, from: Int64?, to: Int64?) async throws -> [PositionJudgement] {
        self.rows(of: device, from: from, to: to).map(\.judgement)
    }

    func rewrite(_ judgements: [PositionJudgement], of device: String) async throws {
        self.state.update { state in
            state.rewritten.append((device, judgements))
            for judgement in judgements {
                guard
                    let index = state.positions[device]?.firstIndex(where: { $0.fix.timestamp == judgement.timestamp })
                else { continue }
                state.positions[device]?[index].judgement = judgement
            }
        }
    }
}
