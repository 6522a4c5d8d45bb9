import Synchronization

/// The stream entries this instance has read and not yet finished with (acknowledged, or deliberately
/// left pending by the dead-letter policy).
///
/// The source does not claim these back when they sit idle in its own pending list: they are idle only
/// because a later stage is still working on them (a write waiting for PostgreSQL, say), and claiming
/// them would feed the same entries into the pipeline again and again.
///
/// - Important: Bounded by what the pipeline holds: ids are added as the source sends entries on and
///   removed when each is acknowledged or left pending. Ids are kept as their two numbers (``Key``). New
///   entries arrive in increasing id order, so those are kept in a sorted run (appended at the end, found
///   by binary search, marked as they leave, and compacted once half have left): no hashing for the ids of
///   the hot path. Ids that arrive out of order (pending entries read again, claimed ones) and ids that
///   are not `ms-seq` (never from Redis) are kept in sets.
public final class InFlightEntries: Sendable {
    private let ids = Mutex(Storage())

    public init() {}

    public var count: Int { self.ids.withLock { $0.count } }

    public func insert(_ ids: some Sequence<String>) {
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

    public func remove(_ ids: [String]) {
        self.ids.withLock { storage in
            // By index: a for-in loop would copy (retain and release) every id.
            for index in ids.indices { storage.remove(ids[index]) }
        }
    }

    public func contains(_ id: String) -> Bool {
        self.ids.withLock { $0.contains(id) }
    }

    private struct Storage {
        /// Ids in increasing order; `present[i]` is false once `run[i]` left.
        var run: [Key] = []
        var present: [Bool] = []
        /// How many of `run` are present.
        var runCount = 0
        var outOfOrder: Set<Key> = []
        var others: Set<String> = []

        var count: Int { self.runCount + self.outOfOrder.count + self.others.count }

        mutating func insert(_ id: String) {
            guard let key = Key(id) else {
                self.others.insert(id)
                return
            }
            if let last = self.run.last, key <= last {
                // Not after the run's end (an entry read again or claimed): unless already in the run, kept aside.
                if self.position(of: key) == nil { self.outOfOrder.insert(key) }
                return
            }
            self.run.append(key)
            self.present.append(true)
            self.runCount += 1
        }

        mutating func remove(_ id: String) {
            guard let key = Key(id) else {
                self.others.remove(id)
                return
            }
            guard let index = self.position(of: key) else {
                self.outOfOrder.remove(key)
                return
            }
            self.present[index] = false
            self.runCount -= 1
            // Once at least half the run has left, it is rebuilt from the present ids: the storage stays
            // within twice what is in flight (plus 1,024), at an amortised O(1) per id, whatever the order of
            // leaving.
            if self.run.count >= 1024, self.runCount * 2 <= self.run.count {
                var kept: [Key] = []
                kept.reserveCapacity(self.runCount * 2)
                for index in self.run.indices where self.present[index] { kept.append(self.run[index]) }
                self.run = kept
                self.present = Array(repeating: true, count: kept.count)
            }
        }

        func contains(_ id: String) -> Bool {
            guard let key = Key(id) else { return self.others.contains(id) }
            return self.position(of: key) != nil || self.outOfOrder.contains(key)
        }

        /// The index of `key` in the run, if it is there and has not left.
        private func position(of key: Key) -> Int? {
            var low = 0
            var high = self.run.count
            while low < high {
                let middle = (low + high) / 2
                if self.run[middle] < key { low = middle + 1 } else { high = middle }
            }
            guard low < self.run.count, self.run[low] == key, self.present[low] else { return nil }
            return low
        }
    }

    /// A stream id `ms-seq` as its two numbers, ordered as Redis orders ids.
    struct Key: Hashable, Comparable {
        let milliseconds: UInt64
        let sequence: UInt64

        /// `nil` unless `id` is exactly `<digits>-<digits>`, each fitting 64 bits, without leading zeros (so
        /// that equal keys mean equal text).
        init?(_ id: String) {
            // Native strings are contiguous UTF-8: read in place, without copying the string.
            let parsed =
                id.utf8.withContiguousStorageIfAvailable(Self.parse)
                ?? {
                    var id = id
                    return id.withUTF8(Self.parse)
                }()
            guard let parsed else { return nil }
            (self.milliseconds, self.sequence) = parsed
        }

        private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
            guard let dash = bytes.firstIndex(of: UInt8(ascii: "-")),
                let milliseconds = Self.number(UnsafeBufferPointer(rebasing: bytes[..<dash])),
                let sequence = Self.number(UnsafeBufferPointer(rebasing: bytes[(dash + 1)...]))
            else { return nil }
            return (milliseconds, sequence)
        }

        static func < (a: Key, b: Key) -> Bool {
            (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
        }

        private static func number(_ digits: UnsafeBufferPointer<UInt8>) -> UInt64? {
            guard !digits.isEmpty, digits.count == 1 || digits[0] != UInt8(ascii: "0") else { return nil }
            var value: UInt64 = 0
            for byte in digits {
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
                guard !overflow1, !overflow2 else { return nil }
                value = sum
            }
            return value
        }
    }
}
