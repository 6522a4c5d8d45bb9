import Stages

/// The `positions` table in memory (CONTRACT §2): the first position stored under a `(device_id, ts)` wins, and
/// inserted and duplicate counts are exact, also within one batch. Records every write; can fail the next ones,
/// and hold writes at a gate so a test sees them in flight.
final class FakePositionStore: PositionStore {
    struct Key: Hashable, Sendable {
        var device: String
        var timestamp: Int64
    }

    struct Failure: Error, Equatable {}

    struct State: Sendable {
        /// Each stored position, and the entry it was stored from.
        var rows: [Key: PositionEntry] = [:]
        /// Every write started, failed or not: its entry ids.
        var attempts: [[StreamID]] = []
        /// The writes that returned: their entry ids.
        var written: [[StreamID]] = []
        var failuresLeft = 0
        /// Writes started and not returned yet, and the most there were at once.
        var inFlight = 0
        var mostInFlight = 0

        /// How many writes that returned held each entry.
        var timesWritten: [StreamID: Int] {
            self.written.joined().reduce(into: [:]) { $0[$1, default: 0] += 1 }
        }
    }

    let state = Watched(State())
    private let gate: Gate?

    /// - Parameter holdingWritesUntil: every write waits for it (after it is counted as started).
    init(holdingWritesUntil gate: Gate? = nil) {
        self.gate = gate
    }

    /// The next `times` writes throw ``Failure`` (and store nothing).
    func failNext(_ times: Int) {
        self.state.update { $0.failuresLeft += times }
    }

    func write(_ batch: [PositionEntry]) async throws -> WriteOutcome {
        let ids = batch.map(\.entryID)
        let fails = self.state.update { state in
            state.attempts.append(ids)
            guard state.failuresLeft == 0 else {
                state.failuresLeft -= 1
                return true
            }
            state.inFlight += 1
            state.mostInFlight = max(state.mostInFlight, state.inFlight)
            return false
        }
        if fails { throw Failure() }
        do {
            try await self.gate?.wait()
        } catch {
            self.state.update { $0.inFlight -= 1 }
            throw error
        }
        return self.state.update { state in
            var inserted = 0
            for entry in batch {
                let key = Key(device: entry.position.deviceID, timestamp: entry.position.timestamp)
                if state.rows[key] == nil {
                    state.rows[key] = entry
                    inserted += 1
                }
            }
            state.inFlight -= 1
            state.written.append(ids)
            return WriteOutcome(inserted: inserted, duplicates: batch.count - inserted)
        }
    }
}

/// The latest stored position time per device, as ``LatestStoredPositions`` reads it; records each look-up and
/// can fail the next ones.
final class FakeStoredPositionTimes: StoredPositionTimes {
    struct Failure: Error {}

    struct State: Sendable {
        var latest: [String: Int64]
        /// The devices of each look-up, failed or not, in order.
        var lookUps: [[String]] = []
        var failuresLeft = 0
    }

    let state: Watched<State>

    init(_ latest: [String: Int64] = [:]) {
        self.state = Watched(State(latest: latest))
    }

    func failNext(_ times: Int) {
        self.state.update { $0.failuresLeft += times }
    }

    func latest(of devices: [String]) async throws -> [String: Int64] {
        let answer = self.state.update { state -> [String: Int64]? in
            state.lookUps.append(devices)
            guard state.failuresLeft == 0 else {
                state.failuresLeft -= 1
                return nil
            }
            return state.latest.filter { devices.contains($0.key) }
        }
        guard let answer else { throw Failure() }
        return answer
    }
}
