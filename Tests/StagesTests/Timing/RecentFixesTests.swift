import Testing

@testable import Stages

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

    @Test func whatIsLetGoLazily_staysWithinHalfAReferenceAgeOrHalfACapacityMore() {
        // One fix a second for three hours: 61 held by age (60 s), or `capacity` when fewer.
        for (capacity, held, bound) in [(600, 61, 91), (7, 7, 10), (1, 1, 1)] {
            var fixes = RecentFixes(referenceAge: .seconds(60), capacity: capacity)
            var mostStored = 0
            for second in 0..<10_800 as Range<Int64> {
                fixes.insert(Self.fix(second))
                mostStored = max(mostStored, fixes.storedCount)
            }
            #expect(fixes.fixes.count == held, "capacity \(capacity)")
            #expect(mostStored == bound, "capacity \(capacity): what is stored, held or waiting to be cut off")
        }
    }

    /// What is held, written the plain way: a sorted array, the let-go fixes removed at once.
    struct Model {
        var fixes: [Fix] = []
        let referenceAge: Int64
        let capacity: Int

        mutating func insert(_ fix: Fix) {
            guard !self.fixes.contains(where: { $0.timestamp == fix.timestamp }) else { return }
            self.fixes.append(fix)
            self.fixes.sort { $0.timestamp < $1.timestamp }
            let newest = self.fixes[self.fixes.count - 1].timestamp
            self.fixes.removeAll { $0.timestamp < newest - self.referenceAge }
            if self.fixes.count > self.capacity { self.fixes.removeFirst(self.fixes.count - self.capacity) }
        }
    }

    @Test func manyInsertsInAndOutOfOrder_holdExactlyWhatThePlainModelHolds_andCompareByWhatIsHeld() {
        for capacity in [1, 7, 600] {
            var fixes = RecentFixes(referenceAge: .seconds(60), capacity: capacity)
            var model = Model(referenceAge: 60_000_000, capacity: capacity)
            var random = SeededGenerator(seed: UInt64(capacity))
            var second: Int64 = 1_000
            for step in 0..<20_000 {
                second += Int64(random.next() % 3)  // 0: a repeat of the newest ts
                // one in ten arrives late, up to 90 s behind: some within the reference age, some not
                let late = random.next() % 10 == 0 ? Int64(random.next() % 90) : 0
                let fix = Fix(timestamp: (second - late) * 1_000_000, latitude: Double(step), longitude: 25)
                fixes.insert(fix)
                model.insert(fix)
                #expect(Array(fixes.fixes) == model.fixes, "capacity \(capacity), after insert \(step)")
                if Array(fixes.fixes) != model.fixes { return }
                let probe = (second - Int64(random.next() % 70)) * 1_000_000
                #expect(fixes.reference(before: probe) == model.fixes.last { $0.timestamp < probe })
            }
            // Another history that ends holding the same fixes is equal, and hashes alike.
            var same = RecentFixes(referenceAge: .seconds(60), capacity: capacity)
            for fix in model.fixes { same.insert(fix) }
            #expect(same == fixes)
            #expect(same.hashValue == fixes.hashValue)
        }
    }
}
