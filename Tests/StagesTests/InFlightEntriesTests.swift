import Testing

@testable import Stages

@Suite("InFlightEntries: ids kept as numbers")
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

    @Test(arguments: ["1-0", "0-0", "18446744073709551615-18446744073709551615"])
    func streamIDsAreNumbers(_ id: String) {
        #expect(InFlightEntries.Key(id) != nil)
    }

    @Test(arguments: ["", "1", "-", "1-", "-1", "01-0", "1-01", "1-0-0", "a-1", "18446744073709551616-0", "1 -0"])
    func otherTextIsNotAKey(_ id: String) {
        #expect(InFlightEntries.Key(id) == nil)
    }
}
