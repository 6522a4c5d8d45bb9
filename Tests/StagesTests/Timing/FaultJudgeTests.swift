import Stages
import Testing

/// The per-device judgement on arrival (``FaultJudge``): references in `ts` order, faulty fixes never
/// references, bounded devices.
@Suite(.timeLimit(.minutes(1)))
struct FaultJudgeTests {
    static let t0: Int64 = 1_777_737_600_000_000

    /// `device`'s position `second` s after ``t0``, `north` degrees of latitude north of (54, 25).
    static func position(
        _ second: Int64,
        north: Double = 0,
        satellites: Int? = nil,
        of device: String = "a"
    ) -> Position {
        Position(
            deviceID: device,
            timestamp: Self.t0 + second * 1_000_000,
            latitude: 54 + north,
            longitude: 25,
            satellites: satellites
        )
    }

    let receivedAt = Self.t0 + 3_600_000_000

    @Test func aLatePosition_isJudgedAgainstTheFixBeforeItInTsOrder_notTheLastArrived() {
        let judge = FaultJudge()
        #expect(judge.judge(Self.position(0), receivedAt: receivedAt) == nil)
        #expect(judge.judge(Self.position(10, north: 0.005), receivedAt: receivedAt) == nil)  // 200 km/h
        // At 1 s, 111 m from the fix at 0 s (400 km/h), 445 m from the last arrived (160 km/h).
        #expect(judge.judge(Self.position(1, north: 0.001), receivedAt: receivedAt) == .jump)
        // At 2 s, 55.6 m from the fix at 0 s (100 km/h): the faulty one at 1 s is no reference.
        #expect(judge.judge(Self.position(2, north: 0.0005), receivedAt: receivedAt) == nil)
        #expect(judge.recentFixes(of: "a").map(\.timestamp) == [0, 2, 10].map { Self.t0 + $0 * 1_000_000 })
    }

    @Test func aFaultyFix_isNeverAReference() {
        let judge = FaultJudge()
        #expect(judge.judge(Self.position(0), receivedAt: receivedAt) == nil)
        #expect(judge.judge(Self.position(1, north: 1), receivedAt: receivedAt) == .jump)
        #expect(judge.judge(Self.position(2, north: 1), receivedAt: receivedAt) == .jump, "still judged from 0 s")
        #expect(judge.judge(Self.position(3, satellites: 1), receivedAt: receivedAt) == .fewSatellites)
        #expect(judge.recentFixes(of: "a").map(\.timestamp) == [Self.t0])
    }

    @Test func devicesAreJudgedApart() {
        let judge = FaultJudge()
        #expect(judge.judge(Self.position(0, of: "a"), receivedAt: receivedAt) == nil)
        #expect(judge.judge(Self.position(1, north: 1, of: "b"), receivedAt: receivedAt) == nil, "b's first fix")
    }

    @Test func aRepeat_isJudgedAgainstTheFixBeforeIt_notItself() {
        let judge = FaultJudge()
        #expect(judge.judge(Self.position(0), receivedAt: receivedAt) == nil)
        #expect(judge.judge(Self.position(1, north: 0.0005), receivedAt: receivedAt) == nil)
        #expect(judge.judge(Self.position(1, north: 0.0005), receivedAt: receivedAt) == nil)
        #expect(judge.recentFixes(of: "a").count == 2)
    }

    @Test func pastItsCapacity_theDeviceJudgedLongestAgoIsEvicted_andCounted() {
        let judge = FaultJudge(capacity: 2)
        _ = judge.judge(Self.position(0, of: "a"), receivedAt: receivedAt)
        _ = judge.judge(Self.position(0, of: "b"), receivedAt: receivedAt)
        _ = judge.judge(Self.position(1, of: "a"), receivedAt: receivedAt)
        _ = judge.judge(Self.position(0, of: "c"), receivedAt: receivedAt)
        #expect(judge.count == 2)
        #expect(judge.evictions == 1)
        #expect(judge.recentFixes(of: "b").isEmpty, "b was judged longest ago")
        #expect(judge.judge(Self.position(1, north: 1, of: "b"), receivedAt: receivedAt) == nil, "b starts again")
    }

    @Test func theFixesKeptPerDeviceAreBounded() {
        let judge = FaultJudge(fixesPerDevice: 3)
        for second in 0..<10 as Range<Int64> { _ = judge.judge(Self.position(second), receivedAt: receivedAt) }
        #expect(judge.recentFixes(of: "a").map(\.timestamp) == [7, 8, 9].map { Self.t0 + $0 * 1_000_000 })
    }
}
