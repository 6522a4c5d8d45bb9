import Stages
import Testing

/// A held fix keeps `ts` and both judgements in one word: 24 bytes, every `ts` of the years 0001–9999 and
/// every judgement given back exactly.
@Suite(.timeLimit(.minutes(1)))
struct HeldFixTests {
    @Test func aHeldFixIs24Bytes() {
        #expect(MemoryLayout<HeldFix>.stride == 24)
    }

    @Test func everyTimestampOfTheYears0001To9999_isGivenBackExactly() throws {
        // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the epoch, and a µs either side of it.
        let timestamps: [Int64] = [-62_135_596_800_000_000, 253_402_300_799_999_999, 0, -1, 1, Field.t0 + 7]
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: course.checkpoints.count)
        let settings = TrackSettings.unbounded(rules: FaultRules(), maxGap: .seconds(300))
        for (index, ts) in timestamps.sorted().enumerated() {
            let fix = TrackFix(
                Fix(timestamp: ts, latitude: Double(index), longitude: 1, satellites: 10),
                receivedAt: ts
            )
            _ = track.insert(fix, course: course, settings: settings)
        }
        #expect(track.fixes.map(\.timestamp) == timestamps.sorted())
        #expect(track.fixes.map(\.latitude) == timestamps.indices.map(Double.init))
    }

    @Test func ownFaultsAndJumps_areGivenBack_andJudgedAgainInTsOrder() throws {
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: course.checkpoints.count)
        let settings = TrackSettings.unbounded(rules: FaultRules(), maxGap: .seconds(300))
        _ = track.insert(Field.fix(0, 0, 0), course: course, settings: settings)
        _ = track.insert(Field.fix(1, 0, 0, satellites: 2), course: course, settings: settings)
        // 10 km at 100 s: its only reference (0 s) is older than the reference age, so it is no jump yet.
        _ = track.insert(Field.fix(100, 10_000, 0), course: course, settings: settings)
        #expect(track.fixes.map(\.fault) == [nil, .fewSatellites, nil])
        // A fix at 90 s where the device was at 0 s: 10 km in 10 s from it is a jump.
        _ = track.insert(Field.fix(90, 0, 0), course: course, settings: settings)
        #expect(track.fixes.map(\.fault) == [nil, .fewSatellites, nil, .jump])
    }
}
