import Stages
import Testing

/// One device's recent non-faulty fixes (``RecentFixes``): the reference in `ts` order, what is kept.
@Suite(.timeLimit(.minutes(1)))
struct RecentFixesTests {
    static func fix(_ second: Int64) -> Fix {
        Fix(timestamp: second * 1_000_000, latitude: 54, longitude: 25)
    }

    static func seconds(_ fixes: RecentFixes) -> [Int64] {
        fixes.fixes.map { $0.timestamp / 1_000_000 }
    }

    @Test func empty_hasNoReference() {
        let fixes = RecentFixes(referenceAge: .seconds(60), capacity: 10)
        #expect(fixes.reference(before: Self.fix(100).timestamp) == nil)
    }

    @Test func fixesArrivingOutOfOrder_areHeldInTsOrder_andTheReferenceIsTheNearestOlder() {
        var fixes = RecentFixes(referenceAge: .seconds(60), capacity: 10)
        for second in [100, 110, 105, 120] as [Int64] { fixes.insert(Self.fix(second)) }
        #expect(Self.seconds(fixes) == [100, 105, 110, 120])
        #expect(fixes.reference(before: Self.fix(108).timestamp) == Self.fix(105), "not the last arrived")
        #expect(fixes.reference(before: Self.fix(110).timestamp) == Self.fix(105), "strictly older")
        #expect(fixes.reference(before: Self.fix(200).timestamp) == Self.fix(120))
        #expect(fixes.reference(before: Self.fix(100).timestamp) == nil, "nothing older held")
    }

    @Test func aRepeatOfAHeldTs_keepsTheFirst() {
        var fixes = RecentFixes(referenceAge: .seconds(60), capacity: 10)
        fixes.insert(Self.fix(100))
        fixes.insert(Fix(timestamp: Self.fix(100).timestamp, latitude: 1, longitude: 1))
        #expect(fixes.fixes == [Self.fix(100)])
    }

    @Test func fixesMoreThanTheReferenceAgeBehindTheNewest_areLetGo() {
        var fixes = RecentFixes(referenceAge: .seconds(60), capacity: 10)
        for second in [100, 130, 160] as [Int64] { fixes.insert(Self.fix(second)) }
        #expect(Self.seconds(fixes) == [100, 130, 160], "exactly 60 s behind can still be a reference")
        fixes.insert(Self.fix(161))
        #expect(Self.seconds(fixes) == [130, 160, 161])
        fixes.insert(Self.fix(50))
        #expect(Self.seconds(fixes) == [130, 160, 161], "a late fix too old to be a reference is not kept")
    }

    @Test func pastItsCapacity_theOldestGoFirst() {
        var fixes = RecentFixes(referenceAge: .seconds(60), capacity: 3)
        for second in [100, 101, 102, 103] as [Int64] { fixes.insert(Self.fix(second)) }
        #expect(Self.seconds(fixes) == [101, 102, 103])
        fixes.insert(Self.fix(100))
        #expect(Self.seconds(fixes) == [101, 102, 103], "older than all it holds when full")
    }
}
