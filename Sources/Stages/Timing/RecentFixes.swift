/// One device's recent non-faulty fixes in `ts` order: what can still be the `jump` reference (CONTRACT §6.2)
/// of a position that arrives next.
///
/// - Important: It holds only fixes within `referenceAge` of the newest it holds (an older one can be the
///   reference of nothing that is not itself older than all of them) and at most `capacity` of them (the
///   oldest go first). So a position arriving more than `referenceAge` behind the device's newest fix, or
///   behind more than `capacity` later ones, may find no reference, and the `jump` rule does not apply to it.
public struct RecentFixes: Sendable, Hashable {
    /// The fixes held, in ascending `ts` order, at most one per `ts`.
    public var fixes: ArraySlice<Fix> { self.storage[self.start...] }
    public let capacity: Int
    /// The reference age, µs.
    private let referenceAge: Int64
    /// The fixes held are `storage[start...]`. Letting go of the oldest moves `start` instead of every fix
    /// after them (one fix is let go for about every one kept, at steady state); the dead prefix is cut off
    /// once it is as long as what is held, so each fix is moved O(1) times on average and the storage stays
    /// within twice `capacity`.
    private var storage: [Fix] = []
    private var start = 0
    /// The newest fix held (the last of `storage`), kept here too: the usual position, newer than all held,
    /// finds its reference without reading `storage`, which for one of thousands of devices is rarely in
    /// the CPU's cache.
    private var newest: Fix?

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
        guard let newest = self.newest else { return nil }
        if newest.timestamp < timestamp { return newest }  // the usual case
        let index = self.firstIndex(notBefore: timestamp)
        return index > self.start ? self.storage[index - 1] : nil
    }

    /// Keeps `fix` (non-faulty) in its place in `ts` order, unless one of the same `ts` is held (the same
    /// position: the first seen stays), then lets go of what can no longer be a reference.
    public mutating func insert(_ fix: Fix) {
        if self.newest.map({ $0.timestamp < fix.timestamp }) ?? true {
            self.storage.append(fix)  // the usual case: the device's newest fix
            self.newest = fix
        } else {
            let index = self.firstIndex(notBefore: fix.timestamp)
            guard self.storage[index].timestamp != fix.timestamp else { return }
            self.storage.insert(fix, at: index)
        }
        // What is let go is at the front: a scan from `start`, which only moves forward, so each fix is
        // passed once (usually none or one per insert, read where the last insert left off, where a binary
        // search would jump through memory). The newest fix is never let go.
        let cutoff = self.storage[self.storage.count - 1].timestamp - self.referenceAge
        self.start = max(self.start, self.storage.count - self.capacity)
        while self.start < self.storage.count - 1 && self.storage[self.start].timestamp < cutoff { self.start += 1 }
        if self.start > 0 && self.start >= self.storage.count - self.start {
            self.storage.removeFirst(self.start)
            self.start = 0
        }
    }

    /// The index in `storage` of the first fix held whose `ts` is ≥ `timestamp` (binary search).
    private func firstIndex(notBefore timestamp: Int64) -> Int {
        var (low, high) = (self.start, self.storage.count)
        while low < high {
            let middle = (low + high) / 2
            if self.storage[middle].timestamp < timestamp { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Equal when the same fixes are held (the let-go prefix does not count).
    public static func == (lhs: RecentFixes, rhs: RecentFixes) -> Bool {
        lhs.capacity == rhs.capacity && lhs.referenceAge == rhs.referenceAge && lhs.fixes == rhs.fixes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.capacity)
        hasher.combine(self.referenceAge)
        hasher.combine(self.fixes.count)
        for fix in self.fixes { hasher.combine(fix) }
    }
}
