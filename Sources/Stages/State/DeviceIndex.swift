/// From a device id to its slot in an ``LRU``'s nodes: an open-addressing hash table (linear probing) whose
/// entries are the slots alone, the ids staying in the nodes, where a lookup reads them anyway.
///
/// It exists because `[String: Int]` hashes with SipHash (a `Hasher` set up, fed and finalised per look-up):
/// about 2 % of durable-write's CPU, twice per position (``DeviceStateStore``, ``FaultJudge``). Ids are
/// hashed here by a multiply-and-fold over their UTF-8, eight bytes at a time, from a seed drawn at random
/// per index, so which ids collide cannot be chosen from outside without seeing the process.
///
/// - Important: The table is a power of two, at most half full (it doubles past that), so probes stay short
///   and an empty entry always ends one. Removal shifts the entries after it back (no tombstones), so a
///   probe sequence never has a hole before its key.
struct DeviceIndex: Sendable {
    /// Per entry, 0 when empty; else the slot + 1 in the low 32 bits and the hash's high 32 bits above it
    /// (most mismatches are told apart without reading the node).
    private var entries: [UInt64]
    private(set) var count = 0
    private let seed: UInt64

    init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.entries = Array(repeating: 0, count: 16)
        self.seed = seed
    }

    /// The slot of `device`, if held; `key(slot)` is the id at a slot.
    func slot(of device: String, key: (Int) -> String) -> Int? {
        let hash = self.hash(device)
        let mask = self.entries.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = self.entries[position]
            if entry == 0 { return nil }
            if entry >> 32 == hash >> 32 {
                let slot = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if key(slot) == device { return slot }
            }
            position = (position + 1) & mask
        }
    }

    /// Adds `device` (not held) at `slot`.
    mutating func insert(_ device: String, slot: Int) {
        precondition(slot >= 0 && slot < 0xFFFF_FFFF, "device index: slot \(slot) out of range")
        if (self.count + 1) * 2 > self.entries.count { self.grow() }
        self.place(hash: self.hash(device), slot: slot)
        self.count += 1
    }

    /// Removes `device`, held at `slot`.
    mutating func remove(_ device: String, slot: Int) {
        let mask = self.entries.count - 1
        var hole = Int(truncatingIfNeeded: self.hash(device)) & mask
        while Int(truncatingIfNeeded: self.entries[hole] & 0xFFFF_FFFF) - 1 != slot {
            precondition(self.entries[hole] != 0, "device index: \(device) is not held at slot \(slot)")
            hole = (hole + 1) & mask
        }
        // Backward shift: each later entry of the run whose home is not between the hole and it moves into the
        // hole, which moves on to where it was.
        var next = (hole + 1) & mask
        while self.entries[next] != 0 {
            let home = self.home(of: self.entries[next])
            if (next - home) & mask >= (next - hole) & mask {
                self.entries[hole] = self.entries[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        self.entries[hole] = 0
        self.count -= 1
    }

    /// Where an entry's probe starts. Only the hash's high 32 bits are kept, so the home is taken from them
    /// (``hash(_:)`` puts the same bits low and high).
    private func home(of entry: UInt64) -> Int {
        Int(truncatingIfNeeded: entry >> 32) & (self.entries.count - 1)
    }

    private mutating func place(hash: UInt64, slot: Int) {
        let mask = self.entries.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while self.entries[position] != 0 { position = (position + 1) & mask }
        self.entries[position] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(slot + 1)
    }

    private mutating func grow() {
        let old = self.entries
        self.entries = Array(repeating: 0, count: old.count * 2)
        for entry in old where entry != 0 {
            let hash = entry & 0xFFFF_FFFF_0000_0000 | entry >> 32
            self.place(hash: hash, slot: Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1)
        }
    }

    /// A 64-bit hash of `device`'s UTF-8 whose low 32 bits repeat its high 32 (the table keeps only the high
    /// half, and the probe starts from the low one).
    func hash(_ device: String) -> UInt64 {
        var device = device
        let mixed = device.withUTF8 { bytes -> UInt64 in
            guard let base = bytes.baseAddress else { return Self.mix(self.seed) }
            let raw = UnsafeRawPointer(base)
            var state = self.seed ^ UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
            var offset = 0
            while offset + 8 <= bytes.count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                state = Self.mix(state ^ word)
                offset += 8
            }
            if offset < bytes.count {
                // The last eight bytes (overlapping the word before) when there are eight; else byte by byte.
                var tail: UInt64 = 0
                if bytes.count >= 8 {
                    tail = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
                } else {
                    for index in offset..<bytes.count { tail = tail << 8 | UInt64(base[index]) }
                }
                state = Self.mix(state ^ tail)
            }
            return Self.mix(state)
        }
        return mixed & 0xFFFF_FFFF_0000_0000 | mixed >> 32
    }

    /// A 64-bit finaliser (the one of splitmix64): every input bit affects every output bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
