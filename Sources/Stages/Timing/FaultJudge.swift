import Synchronization

/// Judges positions by the rules of CONTRACT §6.2 as they arrive, against what it has seen: per device it keeps
/// the recent non-faulty fixes (``RecentFixes``), and a position's `jump` reference is the nearest older one
/// it holds in `ts` order (so a late position is judged against the fix before it, not the last arrived).
///
/// - Important: At most `capacity` devices are held; one more evicts the device judged longest ago (counted
///   in ``evictions``), which starts again with no reference. A position judged faulty is never a reference.
///   Thread-safe: all access takes one lock.
public final class FaultJudge: Sendable {
    public let rules: FaultRules
    /// Fixes kept per device.
    public let fixesPerDevice: Int
    private let storage: Mutex<LRU<RecentFixes>>

    /// Devices held unless told otherwise: 10,000.
    public static let defaultCapacity = 10_000
    /// Fixes kept per device unless told otherwise: 600 (a minute at 10 fixes a second).
    public static let defaultFixesPerDevice = 600

    public init(
        rules: FaultRules = FaultRules(),
        capacity: Int = FaultJudge.defaultCapacity,
        fixesPerDevice: Int = FaultJudge.defaultFixesPerDevice
    ) {
        precondition(capacity >= 1, "fault judge capacity must be at least 1 (got \(capacity))")
        precondition(fixesPerDevice >= 1, "fixes per device must be at least 1 (got \(fixesPerDevice))")
        self.rules = rules
        self.fixesPerDevice = fixesPerDevice
        self.storage = Mutex(LRU(capacity: capacity))
    }

    /// Devices held.
    public var count: Int { self.storage.withLock { $0.count } }
    /// Devices evicted so far.
    public var evictions: Int { self.storage.withLock { $0.evictions } }

    /// The recent fixes held for `device`, oldest first.
    public func recentFixes(of device: String) -> [Fix] {
        self.storage.withLock { lru in lru.slot(of: device).map { Array(lru.nodes[$0].state.fixes) } ?? [] }
    }

    /// The first rule `position` breaks (nil: not faulty), judged against the device's nearest older
    /// non-faulty fix held; a non-faulty position is kept as a reference for the ones that follow.
    ///
    /// - Parameter receivedAt: when the processor first saw it, µs since the epoch.
    public func judge(_ position: Position, receivedAt: Int64) -> Fault? {
        self.judge(Fix(position), of: position.deviceID, receivedAt: receivedAt)
    }

    /// The first rule `fix`, a position of `device`, breaks: ``judge(_:receivedAt:)`` given only what it reads
    /// of the position.
    public func judge(_ fix: Fix, of device: String, receivedAt: Int64) -> Fault? {
        self.storage.withLock { lru in
            let slot: Int
            if let held = lru.slot(of: device) {
                slot = held
                lru.touch(slot)
            } else {
                let fixes = RecentFixes(referenceAge: self.rules.thresholds.referenceAge, capacity: self.fixesPerDevice)
                slot = lru.insert(device, fixes)
            }
            let reference = lru.nodes[slot].state.reference(before: fix.timestamp)
            let fault = self.rules.fault(of: fix, receivedAt: receivedAt, reference: reference)
            if fault == nil { lru.nodes[slot].state.insert(fix) }
            return fault
        }
    }
}
