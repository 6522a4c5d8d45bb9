import CoreMetrics
import Flow
import Stages
import Synchronization

/// A CMS stand-in: `session=valid` is user `u1`, `session=down` cannot be asked, anything else (or no cookie)
/// is nobody. Events are allowed unless the test says otherwise.
final class LiveFakeAuthority: LiveAuthority {
    private let answers = Mutex<[String: LiveAuthorization]>([:])

    func authenticate(cookie: String?) async -> LiveAuthentication {
        switch cookie {
        case "session=valid": .user(id: "u1")
        case "session=down": .unavailable(reason: "test: the CMS is down")
        default: .notAuthenticated
        }
    }

    func authorize(event: String, cookie: String?) async -> LiveAuthorization {
        guard cookie == "session=valid" else { return .forbidden }
        return self.answers.withLock { $0[event] ?? .allowed }
    }

    /// `session=valid` may watch one event, "Race" (`LiveFakeAuthority.event`).
    func events(cookie: String?) async -> LiveEventList {
        switch cookie {
        case "session=valid": .events([LiveEventSummary(id: Self.event, name: "Race")])
        case "session=down": .unavailable(reason: "test: the CMS is down")
        default: .events([])
        }
    }

    static let event = "00000000-0000-4000-8000-00000000e001"

    func answer(_ authorization: LiveAuthorization, for event: String) {
        self.answers.withLock { $0[event] = authorization }
    }
}

/// Snapshots set by the test; one can be made to fail, or to wait for a ``LiveGate``. Each request is
/// recorded in ``requests`` when it starts.
final class LiveFakeSnapshots: LiveSnapshots {
    private struct State {
        var snapshots: [String: [LivePosition]] = [:]
        var timing: [String: LiveTimingSnapshot] = [:]
        var gates: [String: LiveGate] = [:]
        var failing: Set<String> = []
        var requests: [String] = []
    }

    private let state = Mutex(State())

    struct Unreadable: Error {}

    func snapshot(event: String) async throws -> [LivePosition] {
        let gate = self.state.withLock { state in
            state.requests.append(event)
            return state.gates[event]
        }
        if let gate { await gate.wait() }
        return try self.state.withLock { state in
            if state.failing.contains(event) { throw Unreadable() }
            return state.snapshots[event] ?? []
        }
    }

    /// The event's timing snapshot, read right after its positions (so the position gate holds both back).
    func timing(event: String) async throws -> LiveTimingSnapshot {
        self.state.withLock { $0.timing[event] ?? LiveTimingSnapshot() }
    }

    func set(_ timing: LiveTimingSnapshot, for event: String) {
        self.state.withLock { $0.timing[event] = timing }
    }

    func set(_ positions: [LivePosition], for event: String) {
        self.state.withLock { $0.snapshots[event] = positions }
    }

    func fail(_ event: String) {
        _ = self.state.withLock { $0.failing.insert(event) }
    }

    /// Makes the snapshots of `event` wait until `gate` opens.
    func hold(_ event: String, until gate: LiveGate) {
        self.state.withLock { $0.gates[event] = gate }
    }

    /// How many snapshots of `event` were asked for.
    func requests(for event: String) -> Int {
        self.state.withLock { $0.requests.filter { $0 == event }.count }
    }
}

/// A one-shot signal: ``wait()`` returns once ``open()`` was called.
final class LiveGate: Sendable {
    private let opened = SetOnce<Void>()

    func open() {
        self.opened.set(())
    }

    /// Returns once opened, or when the waiting task is cancelled.
    func wait() async {
        _ = try? await self.opened.wait()
    }
}

/// The replay's stored positions: an event's snapshot positions stand for all it has stored, in `(ts, device)`
/// order, cut at the query's limit (the query's bounds are the real store's business, tested against PostgreSQL).
extension LiveFakeSnapshots: LivePositionHistory {
    func positions(event: String, query: LiveReplayQuery) async throws -> LiveReplayPage {
        let stored = try await self.snapshot(event: event).sorted {
            ($0.timestamp, $0.deviceID) < ($1.timestamp, $1.deviceID)
        }
        return LiveReplayPage(
            positions: Array(stored.prefix(query.limit)),
            first: stored.first?.timestamp,
            last: stored.last?.timestamp,
            more: stored.count > query.limit
        )
    }
}
