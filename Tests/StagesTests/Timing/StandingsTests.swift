import Stages
import Testing

/// An event's standings (CONTRACT §6.3): more checkpoints first, then less elapsed time, then the entry id;
/// entries without a start last.
@Suite(.timeLimit(.minutes(1)))
struct StandingsTests {
    static func entry(_ letter: Character) -> EventEntry {
        EventEntry(id: "00000000-0000-4000-8000-00000000a00\(letter)", name: "Entry \(letter)", devices: [])
    }

    /// `entry`'s crossings of the straight course's checkpoints, at `seconds` after t0 each (in course order).
    static func crossings(_ entry: EventEntry, _ seconds: [Double?]) -> [CrossingRecord] {
        seconds.enumerated().compactMap { index, time in
            time.map {
                CrossingRecord(
                    event: Field.event,
                    entry: entry.id,
                    checkpoint: String(format: "00000000-0000-4000-8000-0000000c%04d", index + 1),
                    seq: index + 1,
                    device: "350000000000001",
                    timestamp: Field.time($0)
                )
            }
        }
    }

    @Test func moreCheckpointsFirst_thenLessElapsed_tiesSharePlace_noStartLast() throws {
        let (a, b, c, d, e, f) = (
            Self.entry("a"), Self.entry("b"), Self.entry("c"), Self.entry("d"),
            Self.entry("e"), Self.entry("f")
        )
        let crossings =
            Self.crossings(f, [10, 20, 30])  // 20 s, tied with a
            + Self.crossings(b, [0, 10, 25])  // 25 s
            + Self.crossings(a, [5, 15, 25])  // 20 s
            + Self.crossings(c, [0, 10, nil])  // two counted, 10 s
            + Self.crossings(e, [nil, 10, nil])  // no start, one counted
        let standings = Standings(
            course: try Field.straightCourse(),
            entries: [f, e, d, c, b, a],
            crossings: crossings
        )
        #expect(standings.total == 3)
        #expect(standings.rows.map(\.entry) == [a, f, b, c, e, d])
        #expect(standings.rows.map(\.place) == [1, 1, 3, 4, nil, nil])
        #expect(standings.rows.map(\.counted) == [3, 3, 3, 2, 1, 0])
        #expect(standings.rows.map(\.elapsed) == [20_000_000, 20_000_000, 25_000_000, 10_000_000, nil, nil])
        #expect(standings.rows.map(\.gap) == [.leader, .time(0), .time(5_000_000), .checkpoints(1), nil, nil])
        #expect(standings.rows.map { $0.last?.name } == ["CP3", "CP3", "CP3", "CP2", "CP2", nil])
    }

    @Test func equalCounts_orderByElapsedAtTheLastCounted_notByTheStartTime() throws {
        let (a, b) = (Self.entry("a"), Self.entry("b"))
        // a started later but took longer to the split.
        let crossings = Self.crossings(a, [30, 45, nil]) + Self.crossings(b, [0, 12, nil])
        let standings = Standings(course: try Field.straightCourse(), entries: [a, b], crossings: crossings)
        #expect(standings.rows.map(\.entry) == [b, a])
        #expect(standings.rows.map(\.gap) == [.leader, .time(3_000_000)])
    }

    @Test func onlyStarted_countsOne_withNoElapsedTime() throws {
        let (a, b) = (Self.entry("a"), Self.entry("b"))
        let crossings = Self.crossings(b, [3, nil, nil]) + Self.crossings(a, [7, nil, nil])
        let standings = Standings(course: try Field.straightCourse(), entries: [b, a], crossings: crossings)
        #expect(standings.rows.map(\.entry) == [a, b], "equal counts and elapsed: the entry id decides")
        #expect(standings.rows.map(\.place) == [1, 1])
        #expect(standings.rows.map(\.elapsed) == [0, 0])
        #expect(standings.rows.map { $0.last?.kind } == [.start, .start])
    }

    @Test func crossingsOfOtherCheckpointsOrEntries_areIgnored() throws {
        let a = Self.entry("a")
        var stray = Self.crossings(a, [1, nil, nil])[0]
        stray.checkpoint = "00000000-0000-4000-8000-0000000cffff"
        let other = Self.crossings(Self.entry("z"), [1, 2, 3])
        let standings = Standings(course: try Field.straightCourse(), entries: [a], crossings: [stray] + other)
        #expect(standings.rows.count == 1)
        #expect(standings.rows[0].counted == 0 && standings.rows[0].place == nil)
    }

    @Test func clock_isHoursMinutesSecondsMilliseconds_roundedHalfUp() {
        #expect(Standings.clock(0) == "0:00:00.000")
        #expect(Standings.clock(3_723_004_500) == "1:02:03.005")
        #expect(Standings.clock(59_999_499) == "0:00:59.999")
        #expect(Standings.clock(36_000_000_000) == "10:00:00.000")
        #expect(Standings.clock(-1_500) == "-0:00:00.002")
    }
}
