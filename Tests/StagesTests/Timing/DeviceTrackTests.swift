import Stages
import Testing

/// A device's track: crossings of its non-faulty fixes in `ts` order, within the event's window and
/// `max_gap`, judged in `ts` order whatever the arrival order.
@Suite(.timeLimit(.minutes(1)))
struct DeviceTrackTests {
    /// Eastwards at 10 m/s along y = 0, one fix a second, from x = −15 m at t = 0.
    static func eastwards(seconds: ClosedRange<Int> = 0...23, north: Double = 0) -> [TrackFix] {
        seconds.map { Field.fix(Double($0), -15 + 10 * Double($0), north) }
    }

    @Test func aStraightDrive_isTimedAtEveryGate() throws {
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: 3)
        track.insert(Self.eastwards(), course: course)
        #expect(
            track.counted.map { $0.map(roundedToMillisecond) } == [Field.time(1.5), Field.time(11.5), Field.time(21.5)]
        )
    }

    @Test func aGateCrossedTwice_hasBothCrossings_courseOrderCountsTheRightOne() throws {
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: 3)
        // Across the start at 0.5 s, back at 1.5 s, across again at 2.5 s, then on to the split.
        let fixes =
            [Field.fix(0, -5, 0), Field.fix(1, 5, 0), Field.fix(2, -5, 0)]
            + (3...14).map { Field.fix(Double($0), -5 + 10 * Double($0 - 2), 0) }
        track.insert(fixes, course: course)
        #expect(track.crossings[0].count == 3)
        #expect(track.counted[0].map(roundedToMillisecond) == Field.time(2.5), "the last start before the split")
        #expect(track.counted[1].map(roundedToMillisecond) == Field.time(12.5))
    }

    @Test func laps_aGateRepeatedUnderLaterSeqs_countsOnceForEach() throws {
        // A loop: east along y = 0 from x = −20 to 220, north, west along y = 100, south; the line x = 0
        // (y −50…50) is start, lap line and finish, the line x = 100 on the way back (y 50…150) the split.
        let lap = Field.checkpoint(1, .start, from: (0, -50), to: (0, 50))
        let back = Field.checkpoint(2, .split, from: (100, 50), to: (100, 150))
        let course = try Course(
            event: Field.event,
            checkpoints: [
                lap, back,
                Field.checkpoint(3, .split, from: (0, -50), to: (0, 50)),
                Field.checkpoint(4, .split, from: (100, 50), to: (100, 150)),
                Field.checkpoint(5, .finish, from: (0, -50), to: (0, 50)),
            ]
        )
        // Corners of the loop, visited every 10 s: 10 s legs of 240 m / 100 m, at t = 0, 10, 20, 30, 40 …
        let corners: [(Double, Double)] = [(-20, 0), (220, 0), (220, 100), (-20, 100)]
        var fixes: [TrackFix] = []
        for second in 0...100 {
            let leg = second / 10 % 4
            let (a, b) = (corners[leg], corners[(leg + 1) % 4])
            let f = Double(second % 10) / 10
            fixes.append(Field.fix(Double(second), a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1)))
        }
        var track = DeviceTrack(checkpoints: 5)
        track.insert(fixes, course: course)
        // The line x = 0 eastwards at t = 20/240·10 s past each lap's start (0, 40, 80); x = 100 westwards at
        // 120/240·10 s into the third leg (20, 60).
        let expected = [0.0 + 10.0 / 12, 25, 40 + 10.0 / 12, 65, 80 + 10.0 / 12].map(Field.time)
        let counted = track.counted.map { $0.map(roundedToMillisecond) }
        #expect(counted == expected.map { roundedToMillisecond(Double($0)) })
    }

    @Test func twoFixesFurtherApartThanMaxGap_formNoSegment() throws {
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: 3)
        track.insert([Field.fix(0, -10, 0), Field.fix(301, 10, 0)], course: course)
        #expect(track.crossings[0].isEmpty)
        var near = DeviceTrack(checkpoints: 3)
        near.insert([Field.fix(0, -10, 0), Field.fix(300, 10, 0)], course: course)
        #expect(near.crossings[0].count == 1, "exactly max_gap apart is a segment")
    }

    @Test func onlyFixesWithinTheEventsTimingWindow_areTimed() throws {
        let window = TimingWindow(starts: Field.time(5), ends: Field.time(20))
        let course = try Field.straightCourse(window: window)
        var track = DeviceTrack(checkpoints: 3)
        track.insert(Self.eastwards(), course: course)
        #expect(track.crossings[0].isEmpty, "the start at 1.5 s is before the window")
        #expect(track.crossings[1].count == 1)
        #expect(track.crossings[2].isEmpty, "the finish at 21.5 s is after it")
    }

    @Test func aFaultyFix_isNotPartOfTheTrack() throws {
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: 3)
        track.insert(
            [Field.fix(0, -10, 0), Field.fix(1, 10, 0, satellites: 3), Field.fix(2, 30, 0)],
            course: course
        )
        #expect(track.fixes.map(\.fault) == [nil, .fewSatellites, nil])
        #expect(track.crossings[0].map(roundedToMillisecond) == [Field.time(0.5)], "from the fix at 0 s to 2 s")
    }

    @Test func aLateFix_takesItsPlaceByTs_andTheResultIsTheSameAsInOrder() throws {
        let course = try Field.straightCourse()
        // The device slowed before the split: a fix at 11.8 s is at 101 m, not 103 m.
        let slow = Field.fix(11.8, 101, 0)
        let fixes = (Self.eastwards() + [slow]).sorted { $0.timestamp < $1.timestamp }
        var inOrder = DeviceTrack(checkpoints: 3)
        inOrder.insert(fixes, course: course)
        var late = DeviceTrack(checkpoints: 3)
        let insertions = late.insert(fixes.filter { $0 != slow } + [slow], course: course)
        #expect(insertions.last == .inserted(countedChanged: true, fault: nil), "the split's crossing moved")
        #expect(
            inOrder.counted[1].map(roundedToMillisecond) == roundedToMillisecond(Double(Field.time(11)) + 0.8e6 * 5 / 6)
        )
        #expect(late.crossings == inOrder.crossings)
        #expect(late.counted == inOrder.counted)
    }

    @Test func aLateFix_movesTheJumpReference_andTheJudgementsAfterIt() throws {
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: 3)
        // The first fix is 5 km off: accepted (no reference), so the next ones jump from it.
        track.insert([Field.fix(0, 5_000, 0), Field.fix(10, 0, 0), Field.fix(20, 100, 0)], course: course)
        #expect(track.fixes.map(\.fault) == [nil, .jump, .jump])
        // A late fix 5 s before it, where the device really was: now the bad one jumps, the others do not.
        track.insert([Field.fix(-5, -50, 0)], course: course)
        #expect(track.fixes.map(\.fault) == [nil, .jump, nil, nil])
        #expect(track.counted[0] != nil && track.counted[1] != nil, "the drive across start and split is timed")
    }

    @Test func theSameTs_twice_isADuplicate_theFirstWins() throws {
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: 3)
        track.insert([Field.fix(0, -10, 0)], course: course)
        #expect(track.insert(Field.fix(0, 99, 0), course: course, settings: TrackSettings()) == .duplicate)
        #expect(track.fixes.count == 1)
    }

    @Test func aFixMoreThanLateWindowBehind_isTooLate_andOldFixesAreLetGo() throws {
        let course = try Field.straightCourse()
        let settings = TrackSettings(lateWindow: .seconds(60))
        var track = DeviceTrack(checkpoints: 3)
        track.insert((0...200).map { Field.fix(Double($0), -10, 0) }, course: course, settings: settings)
        #expect(track.insert(Field.fix(139.5, -10, 0), course: course, settings: settings) == .tooLate)
        #expect(track.insert(Field.fix(140.5, -10, 0), course: course, settings: settings) != .tooLate)
        #expect(track.fixes.count <= 60 + 60 + 2, "late_window and the jump reference age, no more")
        #expect(track.evictedByLimit == 0)
    }

    @Test func theLimitOfFixes_evictsTheOldest_andCountsThem_andTheirCrossingsStay() throws {
        let course = try Field.straightCourse()
        let settings = TrackSettings(maxFixesPerDevice: 5)
        var track = DeviceTrack(checkpoints: 3)
        track.insert(Self.eastwards(), course: course, settings: settings)
        #expect(track.fixes.count == 5)
        #expect(track.evictedByLimit == 24 - 5)
        #expect(track.counted.allSatisfy { $0 != nil }, "crossings outlive the fixes they came from")
        #expect(track.insert(Field.fix(17.5, 160, 0), course: course, settings: settings) == .tooLate)
    }

    @Test func aTrackKeepsLittleSpareRoom_andATrimGivesItBack() throws {
        let course = try Field.straightCourse()
        var track = DeviceTrack(checkpoints: 3)
        track.insert((0..<1_100).map { Field.fix(Double($0), -10, 0) }, course: course)
        #expect(track.fixes.count == 1_100)
        #expect(track.fixes.capacity <= 1_100 + 1_100 / 4 + 8, "grown by a quarter, not doubled (2,048)")
        track.trim(to: 100)
        #expect(track.fixes.count == 100)
        #expect(track.fixes.capacity <= 2 * 100 + 16, "the room of the fixes let go is given back")
    }
}
