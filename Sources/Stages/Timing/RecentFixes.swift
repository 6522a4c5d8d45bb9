/// One device's recent non-faulty fixes in `ts` order: what can still be the `jump` reference (CONTRACT §6.2)
/// of a position that arrives next.
///
/// - Important: It holds only fixes within `referenceAge` of the newest it holds (an older one can be the
///   reference of nothing that is not itself older than all of them) and at most `capacity` of them (the
///   oldest go first). So a position arriving more than `referenceAge` behind the device's newest fix, or
///   behind more than `capacity` later ones, may find no reference, and the `jump` rule does not apply to it.
public struct RecentFixes: Sendable, Hashable {
    /// The fixes held, in ascending `ts` order, at most one per `ts`.
    public var fixes: ArraySlice<Fix> {
        guard let newest = self.newest else { return [] }
        var first = self.firstHeld
        while first < self.storage.count - 1 && self.storage[first].timestamp < newest.timestamp - self.referenceAge {
            first += 1
        }
        return self.storage[first...]
    }
    public let capacity: Int
    /// The reference age, µs.
    private let referenceAge: Int64
    /// What is held is `storage[start...]` less what is let go lazily: the fixes before the newest `capacity`
    /// and those older than `referenceAge` behind the newest (``firstHeld``, ``isHeld(_:)``). Reads apply
    /// both rules, so holding such a fix a while longer changes no answer.
    ///
    /// They are cut off from the front in one pass (``letGo()``) only once the stored span grows half a
    /// reference age (or half a capacity) past what is held: at steady state one fix goes for every one kept,
    /// and reading the oldest on every insert costs a cache miss per position (one device of thousands is
    /// rarely in the CPU's cache). The cut moves `start`; the dead prefix is removed once it is as long as
    /// what is stored after it, so each fix is moved O(1) times on average. So what is stored spans at most
    /// 1.5 reference ages or 1.5 × `capacity` fixes, and `storage` is at most twice that.
    private var storage: [Fix] = []
    private var start = 0
    /// `storage[start].timestamp`: when the stored span has grown enough to cut, without reading `storage`.
    private var oldest: Int64 = 0
    /// The newest fix held (the last of `storage`), kept here too: the usual position, newer than all held,
    /// finds its reference without reading `storage`.
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
        guard index > self.firstHeld, self.storage[index - 1].timestamp >= newest.timestamp - self.referenceAge else {
            return nil
        }
        return self.storage[index - 1]
    }

    /// Keeps `fix` (non-faulty) in its place in `ts` order, unless one of the same `ts` is stored (the same
    /// position: the first seen stays), then lets go of what can no longer be a reference.
    public mutating func insert(_ fix: Fix) {
        if let newest = self.newest, fix.timestamp <= newest.timestamp {
            let index = self.firstIndex(notBefore: fix.timestamp)
            guard self.storage[index].timestamp != fix.timestamp else { return }
            self.storage.insert(fix, at: index)
            if index == self.start { self.oldest = fix.timestamp }
        } else {
            self.storage.append(fix)  // the usual case: the device's newest fix
            if self.newest == nil { self.oldest = fix.timestamp }
            self.newest = fix
        }
        let held = self.newest!.timestamp - self.referenceAge
        if self.oldest < held - self.referenceAge / 2 || self.storage.count - self.start > self.capacity * 3 / 2 {
            self.letGo(before: held)
        }
    }

    /// The first index of `storage` that the capacity keeps.
    private var firstHeld: Int { max(self.start, self.storage.count - self.capacity) }

    /// Cuts off the fixes no longer held: before the newest `capacity` and older than `cutoff` (never the newest).
    private mutating func letGo(before cutoff: Int64) {
        self.start = self.firstHeld
        while self.start < self.storage.count - 1 && self.storage[self.start].timestamp < cutoff { self.start += 1 }
        if self.start > 0 && self.start >= self.storage.count - self.start {
            self.storage.removeFirst(self.start)
            self.start = 0
        }
        self.oldest = self.storage[self.start].timestamp
    }

    /// The index in `storage` of the first fix stored whose `ts` is ≥ `timestamp` (binary search).
    private func firstIndex(notBefore timestamp: Int64) -> Int {
        var (low, high) = (self.start, self.storage.count)
        while low < high {
            let middle = (low + high) / 2
            if self.storage[middle].timestamp < timestamp { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Equal when the same fixes are held (what is stored but let go does not count).
    public static func == (lhs: RecentFixes, rhs: RecentFixes) -> Bool {
        lhs.capacity == rhs.capacity && lhs.referenceAge == rhs.referenceAge && lhs.fixes == rhs.fixes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.capacity)
        hasher.combine(self.referenceAge)
        let fixes = self.fixes
        hasher.combine(fixes.count)
        for fix in fixes { hasher.combine(fix) }
    }

    /// How many fixes are stored, held or not yet cut off (for tests of the bound).
    var storedCount: Int { self.storage.count - self.start }
}
