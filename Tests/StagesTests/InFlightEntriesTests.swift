import Testing

@testable import Stages

@Suite("InFlightEntries: ids kept as numbers, new ones in a sorted run")
struct InFlightEntriesTests {
    @Test func insertContainsRemove() {
        let inFlight = InFlightEntries()
        inFlight.insert(["1714667812123-0", "1714667812123-10", "not-an-id", "18446744073709551616-0"])
        #expect(inFlight.count == 4)
        #expect(inFlight.contains("1714667812123-10"))
        #expect(!inFlight.contains("1714667812123-1"))
        #expect(inFlight.contains("not-an-id"))
        #expect(inFlight.contains("18446744073709551616-0"))
        inFlight.remove(["1714667812123-10", "not-an-id"])
        #expect(!inFlight.contains("1714667812123-10"))
        #expect(!inFlight.contains("not-an-id"))
        #expect(inFlight.count == 2)
    }

    @Test func idsLeavingInAnyOrderAndCompaction() {
        let inFlight = InFlightEntries()
        let ids = (0..<5000).map { "1714667812123-\($0)" }
        inFlight.insert(ids)
        var generator = SystemRandomNumberGenerator()
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
        #expect(["3-0", "5-0", "6-0", "7-0"].allSatisfy(inFlight.contains))
        inFlight.remove(["5-0", "3-0"])
        #expect(inFlight.count == 2)
        // 5-0 left and comes back (delivered again): in flight again.
        inFlight.insert(["5-0"])
        #expect(inFlight.contains("5-0"))
        #expect(inFlight.count == 3)
        inFlight.remove(["5-0", "6-0", "7-0"])
        #expect(inFlight.count == 0)
        #expect(!["3-0", "5-0", "6-0", "7-0"].contains(where: inFlight.contains))
    }

    @Test func idsOfEntries() {
        let inFlight = InFlightEntries()
        inFlight.insert(idsOf: [StreamEntry(id: "9-1", fields: []), StreamEntry(id: "9-2", fields: [])])
        #expect(inFlight.contains("9-1") && inFlight.contains("9-2") && inFlight.count == 2)
    }

    @Test(arguments: ["1-0", "0-0", "18446744073709551615-18446744073709551615"])
    func streamIDsAreNumbers(_ id: String) {
        #expect(InFlightEntries.Key(id) != nil)
    }

    @Test(arguments: ["", "1", "-", "1-", "-1", "01-0", "1-01", "1-0-0", "a-1", "18446744073709551616-0", "1 -0"])
    func otherTextIsNotAKey(_ id: String) {
        #expect(InFlightEntries.Key(id) == nil)
    }
}
