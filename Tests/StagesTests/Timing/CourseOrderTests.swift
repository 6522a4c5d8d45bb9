import Stages
import Testing

/// CONTRACT §6.3's course order: the start-line rule, first crossings after the previous checkpoint, and a
/// checkpoint missed.
@Suite(.timeLimit(.minutes(1)))
struct CourseOrderTests {
    @Test func theCountedStart_isTheLastStartCrossingBeforeCheckpoint2() {
        #expect(CourseOrder.counted([[1, 5, 9], [7, 12], [3, 8, 20]]) == [5, 7, 8])
    }

    @Test func untilThereIsACheckpoint2_theCountedStartIsTheLatestStartCrossing() {
        #expect(CourseOrder.counted([[1, 5], [], []]) == [5, nil, nil])
        #expect(CourseOrder.counted([[1, 5], [3], []]) == [1, 3, nil], "3 follows the crossing at 1")
        #expect(CourseOrder.counted([[5], [3], []]) == [5, nil, nil], "a checkpoint 2 before any start is none")
    }

    @Test func aCheckpointMissed_leavesTheLaterOnesUncounted() {
        #expect(CourseOrder.counted([[1], [2], [], [5]]) == [1, 2, nil, nil])
        #expect(CourseOrder.counted([[1], [2], [1.5], [5]]) == [1, 2, nil, nil], "before the previous is missed")
    }

    @Test func afterIsStrict() {
        #expect(CourseOrder.counted([[1], [2], [2], [3]]) == [1, 2, nil, nil])
    }

    @Test func noStart_nothingCounts() {
        #expect(CourseOrder.counted([[], [2], [3]]) == [nil, nil, nil])
    }
}
