import Testing

@testable import Stages

@Suite("InFlightEntries: new ids in a sorted run, others in a set", .timeLimit(.minutes(1)))
struct InFlightEntriesTests {
    @Test func insertContainsRemove() {
        let inFlight = InFlightEntries()
        inFlight.insert(["1714667812123-0", "1714667812123-10", "18446744073709551615-0"])
        #expect(inFlight.count == 3)
        #expect(inFlight.contains("1714667812123-10"))
        #expect(!inFlight.contains("1714667812123-1"))
        #expect(inFlight.contains("18446744073709551615-0"))
        inFlight.remove(["1714667812123-10"])
        #expect(!inFlight.contains("1714667812123-10"))
        #expect(inFlight.count == 2)
    }

    @Test func idsLeavingInAnyOrderAndCompaction() {
        let inFlight = InFlightEntries()
        let ids = (0..<5000).map { StreamID(milliseconds: 1_714_667_812_123, sequence: UInt64($0)) }
        inFlight.insert(ids)
        var generator = SeededGenerator(seed: 12)
        let leaving = ids.shuffled(using: &generator)
        for (index, id) in leaving.enumerated() {
            inFlight.remove([id])
            #expect(!inFlight.contains(id))
            // The ids still in flight stay found as the run is compacted under them.
            if index % 500 == 0 {
                #expect(leaving[(index + 1)...].allSatisfy(inFlight.contains))
                #expect(inFlight.count == 5000 - index - 1)
            }
        }
        #expect(inFlight.count == 0)
    }

    @Test func idsReadAgainOrClaimed() {
        let inFlight = InFlightEntries()
        inFlight.insert(["5-0", "7-0"])
        // Older than the newest id: a pending entry read again, or a claimed one.
        inFlight.insert(["3-0", "6-0", "7-0"])
        #expect(inFlight.count == 4)
        #expect((["3-0", "5-0", "6-0", "7-0"] as [StreamID]).allSatisfy(inFlight.contains))
        inFlight.remove(["5-0", "3-0"])
        #expect(inFlight.count == 2)
        // 5-0 left and comes back (delivered again): in flight again.
        inFlight.insert(["5-0"])
        #expect(inFlight.contains("5-0"))
        #expect(inFlight.count == 3)
        inFlight.remove(["5-0", "6-0", "7-0"])
        #expect(inFlight.count == 0)
        #expect(!(["3-0", "5-0", "6-0", "7-0"] as [StreamID]).contains(where: inFlight.contains))
    }

    @Test func idsOfEntries() {
        let inFlight = InFlightEntries()
        inFlight.insert(idsOf: [StreamEntry(id: "9-1", fields: []), StreamEntry(id: "9-2", fields: [])])
        #expect(inFlight.contains("9-1") && inFlight.contains("9-2") && inFlight.count == 2)
    }

    /// Batches leave in one call each, mostly in increasing order with gaps (another batch's ids between),
    /// some shuffled, some with ids already gone or never read: what is in flight is always what a plain set
    /// of the same ids holds.
    @Test func batchesLeavingInOneCallEach_sortedWithGapsOrNot_agreeWithAPlainSet() {
        let inFlight = InFlightEntries()
        var model: Set<StreamID> = []
        var generator = SeededGenerator(seed: 17)
        var next: UInt64 = 0
        for round in 0..<200 {
            let read = (0..<Int.random(in: 1...300, using: &generator)).map { _ in
                next += UInt64.random(in: 1...3, using: &generator)
                return StreamID(milliseconds: 1_714_667_812_123, sequence: next)
            }
            inFlight.insert(read)
            model.formUnion(read)
            var leaving = model.sorted().filter { _ in Bool.random(using: &generator) }
            if round % 5 == 0 { leaving.shuffle(using: &generator) }
            if round % 7 == 0 { leaving += [StreamID(milliseconds: 1, sequence: 0), leaving.first].compactMap { $0 } }
            inFlight.remove(leaving)
            model.subtract(leaving)
            #expect(inFlight.count == model.count, "round \(round)")
            #expect(model.allSatisfy(inFlight.contains), "round \(round)")
            #expect(!leaving.contains(where: inFlight.contains), "round \(round)")
        }
    }
}

/// A reproducible random order (SplitMix64): a failing run can be run again.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
