import Synchronization

/// The stream entries this instance has read and not yet finished with (acknowledged, or deliberately
/// left pending by the dead-letter policy).
///
/// The source does not claim these back when they sit idle in its own pending list: they are idle only
/// because a later stage is still working on them (a write waiting for PostgreSQL, say), and claiming
/// them would feed the same entries into the pipeline again and again.
///
/// - Important: Bounded by what the pipeline holds: ids are added as the source sends entries on and
///   removed when each is acknowledged or left pending.
public final class InFlightEntries: Sendable {
    private let ids = Mutex<Set<String>>([])

    public init() {}

    public var count: Int { self.ids.withLock { $0.count } }

    public func insert(_ ids: some Sequence<String>) {
        self.ids.withLock { $0.formUnion(ids) }
    }

    public func remove(_ ids: some Sequence<String>) {
        self.ids.withLock { $0.subtract(ids) }
    }

    public func contains(_ id: String) -> Bool {
        self.ids.withLock { $0.contains(id) }
    }
}
