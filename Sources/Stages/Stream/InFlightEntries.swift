import Synchronization

/// The stream entries this instance has read and not yet finished with: acknowledged, or deliberately left
/// pending by the dead-letter stage. The one thing the source and the stages that finish an entry share,
/// passed to each of them by the pipeline's declaration (``StreamSource``, ``DeadLetter``, ``Acknowledge``).
///
/// The source does not read these again from its own pending list, nor claim them back when they sit idle
/// there: they are idle only because a later stage is still working on them (a write waiting for
/// PostgreSQL, say), and feeding them in again would send the same entries through the pipeline again and
/// again. Its ``count`` is what a forced stop leaves pending.
///
/// - Important: Bounded by what the pipeline holds: ids are added as the source sends entries on and
///   removed when each is acknowledged or left pending. New entries arrive in increasing id order, so those
///   are kept in a sorted run (appended at the end, found by binary search, marked as they leave, and
///   compacted once half have left): no hashing for the ids of the hot path. Ids that arrive out of order
///   (pending entries read again, claimed ones) are kept in a set.
public final class InFlightEntries: Sendable {
    private let ids = Mutex(Storage())

    public init() {}

    public var count: Int { self.ids.withLock { $0.count } }

    public func insert(_ ids: [StreamID]) {
        self.ids.withLock { storage in
            for id in ids { storage.insert(id) }
        }
    }

    /// The ids of `entries`.
    public func insert(idsOf entries: [StreamEntry]) {
        self.ids.withLock { storage in
            for index in entries.indices { storage.insert(entries[index].id) }
        }
    }

    public func remove(_ ids: [StreamID]) {
        self.ids.withLock { storage in
            var hint = 0
            for id in ids { storage.remove(id, hint: &hint) }
        }
    }

    public func contains(_ id: StreamID) -> Bool {
        self.ids.withLock { $0.contains(id) }
    }

    private struct Storage {
        /// Ids in increasing order; `present[i]` is false once `run[i]` left.
        var run: [StreamID] = []
        var present: [Bool] = []
        /// How many of `run` are present.
        var runCount = 0
        var outOfOrder: Set<StreamID> = []

        var count: Int { self.runCount + self.outOfOrder.count }

        mutating func insert(_ id: StreamID) {
            if let last = self.run.last, id <= last {
                // Not after the run's end (an entry read again or claimed): unless already in the run, kept aside.
                if self.position(of: id, from: 0) == nil { self.outOfOrder.insert(id) }
                return
            }
            self.run.append(id)
            self.present.append(true)
            self.runCount += 1
        }

        /// - Parameter hint: where the previous id of the same call was found in the run; set to where this one
        ///   is (0 after the run is rebuilt).
        mutating func remove(_ id: StreamID, hint: inout Int) {
            guard let index = self.position(of: id, from: hint) else {
                self.outOfOrder.remove(id)
                return
            }
            hint = index
            self.present[index] = false
            self.runCount -= 1
            // Once at least half the run has left, it is rebuilt from the present ids: the storage stays
            // within twice what is in flight (plus 1,024), at an amortised O(1) per id, whatever the order of
            // leaving.
            if self.run.count >= 1024, self.runCount * 2 <= self.run.count {
                var kept: [StreamID] = []
                kept.reserveCapacity(self.runCount * 2)
                for index in self.run.indices where self.present[index] { kept.append(self.run[index]) }
                self.run = kept
                self.present = Array(repeating: true, count: kept.count)
                hint = 0
            }
        }

        func contains(_ id: StreamID) -> Bool {
            self.position(of: id, from: 0) != nil || self.outOfOrder.contains(id)
        }

        /// The index of `id` in the run, if it is there and has not left.
        ///
        /// Searched from `hint` forward when the id there is not after `id`: a batch's ids are mostly
        /// acknowledged in increasing order, each a few places after the one before, so steps of 1, 2, 4, …
        /// from the last one found bound a short search over memory just read. Otherwise the whole run.
        private func position(of id: StreamID, from hint: Int) -> Int? {
            var low = 0
            var high = self.run.count
            if hint < self.run.count, self.run[hint] <= id {
                // The first index whose id is ≥ `id` is ≥ hint; gallop until one is.
                low = hint
                var step = 1
                var probe = hint + 1
                while probe < self.run.count, self.run[probe] < id {
                    low = probe + 1
                    step *= 2
                    probe = hint + step
                }
                high = min(probe + 1, self.run.count)
            }
            while low < high {
                let middle = (low + high) / 2
                if self.run[middle] < id { low = middle + 1 } else { high = middle }
            }
            guard low < self.run.count, self.run[low] == id, self.present[low] else { return nil }
            return low
        }
    }
}
