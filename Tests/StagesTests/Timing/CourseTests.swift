import Stages
import Testing

/// CONTRACT §6.1's rules for a course: each broken rule is named, and a valid course keeps its checkpoints in
/// seq order.
@Suite(.timeLimit(.minutes(1)))
struct CourseTests {
    func reason(_ checkpoints: [Checkpoint], window: TimingWindow = .open) -> CourseError.Reason? {
        do {
            _ = try Course(event: Field.event, checkpoints: checkpoints, window: window)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aValidCourse_isInSeqOrder_whateverOrderItsCheckpointsCameIn() throws {
        let course = try Course(
            event: Field.event.uppercased(),
            checkpoints: [
                Field.line(3, .finish, atEast: 200), Field.line(1, .start, atEast: 0),
                Field.line(2, .split, atEast: 100),
            ]
        )
        #expect(course.checkpoints.map(\.seq) == [1, 2, 3])
        #expect(course.event == Field.event, "ids are lowercase")
    }

    @Test func eachBrokenRule_isNamed() {
        #expect(self.reason([]) == .noCheckpoints)
        #expect(self.reason([Field.line(1, .start, atEast: 0)]) == .tooFewCheckpoints(1))
        #expect(self.reason([Field.line(1, .start, atEast: 0), Field.line(1, .finish, atEast: 9)]) == .duplicateSeq(1))
        #expect(
            self.reason([Field.line(1, .split, atEast: 0), Field.line(2, .finish, atEast: 9)])
                == .wrongKind(seq: 1, is: .split, .start)
        )
        #expect(
            self.reason([
                Field.line(1, .start, atEast: 0), Field.line(2, .start, atEast: 5), Field.line(3, .finish, atEast: 9),
            ])
                == .wrongKind(seq: 2, is: .start, .split)
        )
        let short = Field.checkpoint(2, .finish, from: (10, 0), to: (10, 0.5))
        #expect(self.reason([Field.line(1, .start, atEast: 0), short]).map { "\($0)" }?.contains("gateLength") == true)
        let long = Field.checkpoint(2, .finish, from: (10, -1_500), to: (10, 1_500))
        #expect(self.reason([Field.line(1, .start, atEast: 0), long]).map { "\($0)" }?.contains("gateLength") == true)
        var outside = Field.line(2, .finish, atEast: 10)
        outside.lat1 = 91
        #expect(self.reason([Field.line(1, .start, atEast: 0), outside]) == .coordinatesOutOfRange(seq: 2))
        #expect(
            self.reason(
                [Field.line(1, .start, atEast: 0), Field.line(2, .finish, atEast: 9)],
                window: TimingWindow(starts: 10, ends: 5)
            ) == .windowEndsBeforeStart
        )
    }

    @Test func theReason_saysWhatIsWrongAndWhere() throws {
        let checkpoints = [
            Field.line(1, .start, atEast: 0), Field.line(2, .start, atEast: 5), Field.line(3, .finish, atEast: 9),
        ]
        let error = #expect(throws: CourseError.self) { try Course(event: Field.event, checkpoints: checkpoints) }
        #expect(
            error.map { "\($0)" }
                == "event \(Field.event) is not timed: checkpoint seq 2 is a 'start'; in its place the course needs a"
                + " 'split' (the first is the start, the last the finish, every other a split)"
        )
    }
}
