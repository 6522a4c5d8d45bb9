import Testing

@testable import Stages

/// The hash table from device id to LRU slot (``DeviceIndex``), against a `Dictionary` doing the same.
@Suite(.timeLimit(.minutes(1)))
struct DeviceIndexTests {
    /// Ids of every length the contract allows the table to meet: 1–7 bytes (hashed byte by byte), 8, 15
    /// (an IMEI; a small string) and up to 64 (a heap string), some sharing long prefixes.
    static let pool: [String] = (0..<3_000).map { number in
        switch number % 4 {
        case 0: String(number)
        case 1: "35630704244\(1_000 + number)"
        case 2: String(repeating: "x", count: 40) + String(number)
        default: String(format8: number)
        }
    }

    @Test func insertsAndRemovesInAnyOrder_findExactlyWhatADictionaryFinds() {
        var index = DeviceIndex(seed: 42)
        var model: [String: Int] = [:]
        var slots: [String?] = []  // the nodes: slot → id
        var free: [Int] = []
        var random = SeededGenerator(seed: 7)
        for step in 0..<60_000 {
            let device = Self.pool[Int(random.next() % UInt64(Self.pool.count))]
            if let slot = model[device] {
                if random.next() % 3 == 0 {  // removals a third as often as finds: the table fills, then churns
                    index.remove(device, slot: slot)
                    model[device] = nil
                    slots[slot] = nil
                    free.append(slot)
                }
            } else {
                let slot = free.popLast() ?? slots.count
                if slot == slots.count { slots.append(nil) }
                slots[slot] = device
                index.insert(device, slot: slot)
                model[device] = slot
            }
            let probe = Self.pool[Int(random.next() % UInt64(Self.pool.count))]
            let found = index.slot(of: probe) { slots[$0]! }
            #expect(found == model[probe], "step \(step): \(probe)")
            if found != model[probe] { return }
        }
        #expect(index.count == model.count)
        for (device, slot) in model { #expect(index.slot(of: device) { slots[$0]! } == slot) }
    }

    @Test func aDeviceNeverHeld_isNotFound_andTheSameSeedHashesAlike() {
        var index = DeviceIndex(seed: 1)
        index.insert("356307042441013", slot: 0)
        #expect(index.slot(of: "356307042441013") { _ in "356307042441013" } == 0)
        #expect(index.slot(of: "356307042441014") { _ in "356307042441013" } == nil)
        #expect(DeviceIndex(seed: 1).hash("a") == DeviceIndex(seed: 1).hash("a"))
        #expect(DeviceIndex(seed: 1).hash("a") != DeviceIndex(seed: 2).hash("a"))
    }
}

extension String {
    /// Exactly eight bytes: `number` in decimal, zero-padded.
    fileprivate init(format8 number: Int) {
        let digits = String(number)
        self = String(repeating: "0", count: 8 - digits.count) + digits
    }
}
