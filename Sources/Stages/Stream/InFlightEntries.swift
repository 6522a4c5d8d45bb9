import Synchronization

/// The stream entries this instance has read and not yet finished with (acknowledged, or deliberately
/// left pending by the dead-letter policy).
///
/// The source does not claim these back when they sit idle in its own pending list: they are idle only
/// because a later stage is still working on them (a write waiting for PostgreSQL, say), and claiming
/// them would feed the same entries into the pipeline again and again.
///
/// - Important: Bounded by what the pipeline holds: ids are added as the source sends entries on and
///   removed when each is acknowledged or left pending. Ids are kept as their two numbers (``Key``), which
///   hash and compare far cheaper than the text; an id that is not `ms-seq` (never from Redis) is kept as text.
public final class InFlightEntries: Sendable {
    private let ids = Mutex(Storage())

    public init() {}

    public var count: Int { self.ids.withLock { $0.keys.count + $0.others.count } }

    public func insert(_ ids: some Sequence<String>) {
        self.ids.withLock { storage in
            for id in ids {
                if let key = Key(id) { storage.keys.insert(key) } else { storage.others.insert(id) }
            }
        }
    }

    public func remove(_ ids: some Sequence<String>) {
        self.ids.withLock { storage in
            for id in ids {
                if let key = Key(id) { storage.keys.remove(key) } else { storage.others.remove(id) }
            }
        }
    }

    public func contains(_ id: String) -> Bool {
        let key = Key(id)
        return self.ids.withLock { storage in
            if let key { storage.keys.contains(key) } else { storage.others.contains(id) }
        }
    }

    private struct Storage {
        var keys: Set<Key> = []
        var others: Set<String> = []
    }

    /// A stream id `ms-seq` as its two numbers.
    struct Key: Hashable {
        let milliseconds: UInt64
        let sequence: UInt64

        /// `nil` unless `id` is exactly `<digits>-<digits>`, each fitting 64 bits, without leading zeros (so
        /// that equal keys mean equal text).
        init?(_ id: String) {
            var id = id
            guard
                let parsed = id.withUTF8({ bytes -> (UInt64, UInt64)? in
                    guard let dash = bytes.firstIndex(of: UInt8(ascii: "-")),
                        let milliseconds = Self.number(UnsafeBufferPointer(rebasing: bytes[..<dash])),
                        let sequence = Self.number(UnsafeBufferPointer(rebasing: bytes[(dash + 1)...]))
                    else { return nil }
                    return (milliseconds, sequence)
                })
            else { return nil }
            (self.milliseconds, self.sequence) = parsed
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
