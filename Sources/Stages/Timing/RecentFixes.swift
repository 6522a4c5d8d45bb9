/// One device's recent non-faulty fixes in `ts` order: what can still be the `jump` reference (CONTRACT §6.2)
/// of a position that arrives next.
///
/// - Important: It holds only fixes within `referenceAge` of the newest it holds (an older one can be the
///   reference of nothing that is not itself older than all of them) and at most `capacity` of them (the
///   oldest go first). So a position arriving more than `referenceAge` behind the device's newest fix, or
///   behind more than `capacity` later ones, may find no reference, and the `jump` rule does not apply to it.
public struct RecentFixes: Sendable, Hashable {
    /// The fixes, in ascending `ts` order, at most one per `ts`.
    public private(set) var fixes: [Fix] = []
    public let capacity: Int
    /// The reference age, µs.
    private let referenceAge: Int64

    /// - Parameters:
    ///   - referenceAge: how much older than the newest fix a fix is kept.
    ///   - capacity: the most fixes kept, ≥ 1.
    public init(referenceAge: Duration, capacity: Int) {
        precondition(capacity >= 1, "recent fixes capacity must be at least 1 (got \(capacity))")
        self.referenceAge = referenceAge.microseconds
        self.capacity = capacity
    }

    /// The nearest fix held strictly older than `timestamp` in `ts` order, if any.
    public func reference(before timestamp: Int64) -> Fix? {
        let index = self.firstIndex(notBefore: timestamp)
        return index > 0 ? self.fixes[index - 1] : nil
    }

    /// Keeps `fix` (non-faulty) in its place in `ts` order, unless one of the same `ts` is held (the same
    /// position: the first seen stays), then lets go of what can no longer be a reference.
    public mutating func insert(_ fix: Fix) {
        let index = self.firstIndex(notBefore: fix.timestamp)
        guard index == self.fixes.count || self.fixes[index].timestamp != fix.timestamp else { return }
        self.fixes.insert(fix, at: index)
        let newest = self.fixes[self.fixes.count - 1].timestamp
        let expired = self.firstIndex(notBefore: newest - self.referenceAge)
        let overflow = self.fixes.count - self.capacity
        let dropped = max(expired, overflow)
        if dropped > 0 { self.fixes.removeFirst(dropped) }
    }

    /// The index of the first fix whose `ts` is ≥ `timestamp` (binary search).
    private func firstIndex(notBefore timestamp: Int64) -> Int {
        var (low, high) = (0, self.fixes.count)
        while low < high {
            let middle = (low + high) / 2
            if self.fixes[middle].timestamp < timestamp { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
