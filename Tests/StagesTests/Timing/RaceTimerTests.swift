import Stages
import Testing

/// The events race-timing times: seeded before their first position, forgotten when their course changes,
/// too-late positions and memory limits counted.
@Suite(.timeLimit(.minutes(1)))
struct RaceTimerTests {
    static let device = "350000000000001"

    func timer(maxFixes: Int = RaceTimer.defaultMaxFixes, lateWindow: Duration = .seconds(3600)) throws -> RaceTimer {
        var timer = RaceTimer(settings: TrackSettings(lateWindow: lateWindow), maxFixes: maxFixes)
        timer.update(Self.events(try Field.straightCourse()))
        return timer
    }

    static func events(_ course: Course, devices: [String] = [device]) -> TimedEvents {
        let entry = EventEntry(id: "00000000-0000-4000-8000-00000000a001", name: nil, devices: devices)
        return TimedEvents(events: [course.event: .init(course: course, entries: [entry])], invalid: [:])
    }

    @Test func anEventIsSeededBeforeItTakesPositions_fromStoredFixesAndRows() throws {
        var timer = try self.timer()
        var changes: [CrossingChange] = []
        let taken = timer.take(Field.fix(1, 10, 0), device: Self.device, changes: &changes)
        #expect(taken.needsSeed == [Field.event])
        #expect(timer.needsSeed(Field.event))
        let seeded = timer.seed(event: Field.event, fixes: [Self.device: [Field.fix(0, -10, 0)]], stored: [])
        #expect(seeded.isEmpty, "one stored fix crosses nothing")
        #expect(timer.take(Field.fix(1, 10, 0), device: Self.device, changes: &changes) == .init(taken: true))
        #expect(changes.map(\.crossing.seq) == [1])
        #expect(timer.take(Field.fix(5, 50, 50), device: "35999", changes: &changes) == .init(), "in no event")
    }

    @Test func aCourseChangedAtARefresh_forgetsTheEvent_whichIsSeededAgain() throws {
        var timer = try self.timer()
        _ = timer.seed(event: Field.event, fixes: [:], stored: [])
        #expect(!timer.needsSeed(Field.event))
        timer.update(Self.events(try Field.straightCourse()))
        #expect(!timer.needsSeed(Field.event), "the same course and entries: kept")
        let moved = try Course(
            event: Field.event,
            checkpoints: [
                Field.line(1, .start, atEast: 5), Field.line(2, .split, atEast: 100),
                Field.line(3, .finish, atEast: 200),
            ]
        )
        timer.update(Self.events(moved))
        #expect(timer.needsSeed(Field.event))
        timer.update(.none)
        #expect(!timer.needsSeed(Field.event), "no longer timed")
        #expect(timer.events(of: Self.device).isEmpty)
    }

    @Test func aPositionMoreThanLateWindowBehind_isCountedTooLate() throws {
        var timer = try self.timer(lateWindow: .seconds(60))
        _ = timer.seed(event: Field.event, fixes: [:], stored: [])
        var changes: [CrossingChange] = []
        _ = timer.take(Field.fix(100, -10, 0), device: Self.device, changes: &changes)
        #expect(timer.take(Field.fix(39, -10, 0), device: Self.device, changes: &changes).tooLate)
        #expect(!timer.take(Field.fix(41, -10, 0), device: Self.device, changes: &changes).tooLate)
        #expect(timer.tooLate == 1)
    }

    @Test func theTotalLimitOfFixes_trimsTheTrackTakingAFix_andCountsEvictions() throws {
        let devices = (1...4).map { "3500000000000\($0)" }
        var timer = RaceTimer(settings: TrackSettings(), maxFixes: 40)
        timer.update(Self.events(try Field.straightCourse(), devices: devices))
        _ = timer.seed(event: Field.event, fixes: [:], stored: [])
        var changes: [CrossingChange] = []
        for second in 0..<30 {
            for device in devices {
                _ = timer.take(Field.fix(Double(second), -10, Double(second)), device: device, changes: &changes)
            }
        }
        #expect(timer.fixesHeld <= 40 + devices.count)
        #expect(timer.evicted >= 4 * 30 - 40 - devices.count)
    }

    @Test func aRebuild_keepsWithinTheTotalLimit_eachDeviceItsShare_andItsCrossingsStay() throws {
        let devices = (1...4).map { "3500000000000\($0)" }
        var timer = RaceTimer(settings: TrackSettings(), maxFixes: 40)
        timer.update(Self.events(try Field.straightCourse(), devices: devices))
        // Each device drove the whole course: 24 fixes, 96 in all, against a limit of 40.
        let stored = Dictionary(uniqueKeysWithValues: devices.map { ($0, DeviceTrackTests.eastwards()) })
        let changes = timer.seed(event: Field.event, fixes: stored, stored: [])
        #expect(timer.fixesHeld <= 40, "10 each, the first devices seeded no more than the last")
        #expect(timer.evicted == 96 - timer.fixesHeld)
        #expect(changes.filter { $0.operation == .upsert }.count == 3, "the entry's start, split and finish")
    }
}
