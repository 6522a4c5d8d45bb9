import Stages
import Testing

/// CONTRACT §6.3's geometry: which segments cross a gate, where, and the time rounded to the millisecond.
@Suite(.timeLimit(.minutes(1)))
struct CheckpointGateTests {
    let gate = CheckpointGate(Field.line(1, .start, atEast: 0))

    func crossing(_ a: TrackFix, _ b: TrackFix, gate: CheckpointGate? = nil) -> Double? {
        (gate ?? self.gate).crossing(from: a.fix, to: b.fix)
    }

    @Test func aSegmentAcrossTheGate_crossesWhereItMeetsIt_inEitherDirection() throws {
        let east = try #require(self.crossing(Field.fix(0, -10, 0), Field.fix(2, 30, 0)))
        #expect(abs(east - 0.25) < 1e-9)
        let west = try #require(self.crossing(Field.fix(0, 30, 10), Field.fix(2, -10, 10)))
        #expect(abs(west - 0.75) < 1e-9)
        #expect(
            abs(
                CheckpointGate.time(at: east, from: Field.fix(0, -10, 0).fix, to: Field.fix(2, 30, 0).fix)
                    - Double(Field.time(0.5))
            ) < 1
        )
    }

    @Test func anObliqueGate_andAnObliqueSegment() throws {
        let diagonal = CheckpointGate(Field.checkpoint(1, .start, from: (-30, -30), to: (30, 30)))
        let fraction = try #require(self.crossing(Field.fix(0, -10, 10), Field.fix(1, 30, -30), gate: diagonal))
        #expect(abs(fraction - 0.25) < 1e-6)
        #expect(self.crossing(Field.fix(0, -10, 10), Field.fix(1, -20, 20), gate: diagonal) == nil, "same side")
    }

    @Test func aSegmentMeetingTheLineBeyondTheGatesEnds_doesNotCross() {
        #expect(self.crossing(Field.fix(0, -10, 60), Field.fix(1, 10, 60)) == nil)
        #expect(self.crossing(Field.fix(0, -10, -60), Field.fix(1, 10, -60)) == nil)
        #expect(self.crossing(Field.fix(0, -10, 49.9), Field.fix(1, 10, 49.9)) != nil, "just within its end")
    }

    @Test func aPointExactlyOnTheGate_countsOnTheSegmentThatEndsThere_only() {
        let onGate = Field.fix(1, 0, 5)
        #expect(self.crossing(Field.fix(0, -10, 5), onGate) == 1)
        #expect(self.crossing(onGate, Field.fix(2, 10, 5)) == nil)
        #expect(self.crossing(onGate, Field.fix(2, -10, 5)) == nil, "touching and turning back: once")
    }

    @Test func aSegmentAlongTheGatesLine_countsNothing() {
        #expect(self.crossing(Field.fix(0, 0, -20), Field.fix(1, 0, 20)) == nil)
    }

    @Test func timesAreRoundedToTheNearestMillisecond_halvesUp() {
        #expect(roundedToMillisecond(1_500) == 2_000)
        #expect(roundedToMillisecond(1_499.999) == 1_000)
        #expect(roundedToMillisecond(2_500) == 3_000)
        #expect(roundedToMillisecond(1_777_737_600_000_500) == 1_777_737_600_001_000)
        #expect(roundedToMillisecond(1_777_737_600_000_499.75) == 1_777_737_600_000_000)
    }
}
