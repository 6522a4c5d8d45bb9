import Stages
import Testing

/// An event's results: the earliest counted crossing among an entry's devices, the changes of the table,
/// and arrival order that never changes them.
@Suite(.timeLimit(.minutes(1)))
struct EventTimingTests {
    static let one = "350000000000001"
    static let two = "350000000000002"

    func timing(devices: [String] = [one, two]) throws -> EventTiming {
        let entry = EventEntry(id: "00000000-0000-4000-8000-00000000a001", name: "One", devices: devices)
        return EventTiming(course: try Field.straightCourse(), entries: [entry])
    }

    @discardableResult
    func take(_ fixes: [(String, TrackFix)], into timing: inout EventTiming) -> [CrossingChange] {
        var changes: [CrossingChange] = []
        for (device, fix) in fixes { timing.take(fix, device: device, settings: TrackSettings(), changes: &changes) }
        return changes
    }

    @Test func anEntrysCrossing_isTheEarliestOfItsDevices_andNamesThatDevice() throws {
        var timing = try self.timing()
        let changes = self.take(
            [
                (Self.two, Field.fix(0, -10, 0)), (Self.one, Field.fix(0, -10, 5)),
                (Self.two, Field.fix(1, 10, 0)), (Self.one, Field.fix(1, 30, 5)),
            ],
            into: &timing
        )
        // Device one crosses at 0.25 s, device two at 0.5 s.
        let start = try #require(timing.results.values.first { $0.seq == 1 })
        #expect(start.device == Self.one)
        #expect(start.timestamp == Field.time(0.25))
        #expect(changes.map(\.operation) == [.upsert, .upsert], "two's crossing first, then one's earlier one")
        #expect(changes.last?.crossing == start)
    }

    @Test func aTie_goesToTheSmallerIMEI() throws {
        var timing = try self.timing()
        self.take(
            [
                (Self.two, Field.fix(0, -10, 0)), (Self.two, Field.fix(1, 10, 0)),
                (Self.one, Field.fix(0, -10, 5)), (Self.one, Field.fix(1, 10, 5)),
            ],
            into: &timing
        )
        #expect(timing.results.values.first?.device == Self.one)
    }

    @Test func aResultThatDidNotChange_givesNoChange_oneThatDisappears_aRemove() throws {
        var timing = try self.timing(devices: [Self.one])
        var changes = self.take([(Self.one, Field.fix(0, -10, 0)), (Self.one, Field.fix(2, 10, 0))], into: &timing)
        #expect(changes.count == 1)
        changes = self.take([(Self.one, Field.fix(3, 30, 0))], into: &timing)
        #expect(changes.isEmpty, "a fix that crosses nothing changes nothing")
        // A late fix shows the device went round the gate's end: the crossing disappears.
        changes = self.take([(Self.one, Field.fix(1, 0, 70))], into: &timing)
        #expect(changes.map(\.operation) == [.remove])
        #expect(timing.results.isEmpty)
    }

    @Test func reconcilingWithStoredRows_givesTheChangesThatMakeTheTableTheResults() throws {
        var timing = try self.timing(devices: [Self.one])
        self.take((0...3).map { (Self.one, Field.fix(Double($0), -15 + 10 * Double($0), 0)) }, into: &timing)
        let start = try #require(timing.results.values.first)
        var wrong = start
        wrong.timestamp += 1_000
        let gone = CrossingRecord(
            event: Field.event,
            entry: start.entry,
            checkpoint: "00000000-0000-4000-8000-0000000c0003",
            seq: 3,
            device: Self.one,
            timestamp: Field.time(9)
        )
        let changes = timing.reconcile(with: [wrong, gone])
        #expect(Set(changes) == [CrossingChange(.upsert, start), CrossingChange(.remove, gone)])
        #expect(timing.reconcile(with: [start]).isEmpty)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func anyArrivalOrder_givesTheSameTable_andTheSameReplayedStream(seed: UInt64) throws {
        let race = RecordedRace(seed: 42)
        let course = try RecordedRace.course()
        var inOrder = EventTiming(course: course, entries: RecordedRace.entries)
        var ordered: [CrossingChange] = []
        for (device, fix) in race.fixes {
            inOrder.take(fix, device: device, settings: TrackSettings(), changes: &ordered)
        }
        #expect(inOrder.results.count >= 12, "the race is timed: every entry has most checkpoints")
        #expect(ordered.replayed == inOrder.results)
        var shuffled = EventTiming(course: course, entries: RecordedRace.entries)
        var changes: [CrossingChange] = []
        for (device, fix) in race.shuffled(seed: seed) {
            shuffled.take(fix, device: device, settings: TrackSettings(), changes: &changes)
        }
        #expect(shuffled.results == inOrder.results)
        #expect(changes.replayed == inOrder.results, "replaying the stream of changes gives the table")
        for (device, track) in inOrder.tracks {
            #expect(shuffled.tracks[device]?.fixes == track.fixes, "the same judgements, in ts order")
        }
    }
}
