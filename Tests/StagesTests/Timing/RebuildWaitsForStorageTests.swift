import Flow
import FlowTesting
import Testing

@testable import Stages

/// An event's rebuild reads `positions` only once durable-write has stored everything race-timing has read
/// (``StorageProgress``): otherwise a position race-timing acknowledged, missing from the rebuild, would lose
/// its crossings for good.
@Suite(.timeLimit(.minutes(1)))
struct RebuildWaitsForStorageTests {
    /// Answers with `answers` in turn (the last one for ever), recording how many pages of fixes the store had
    /// given when each question came.
    final class FakeStorageProgress: StorageProgress {
        let answers: [StorageCatchUp]
        let store: FakeTimingStore
        let asked = Watched([Int]())

        init(_ answers: [StorageCatchUp], store: FakeTimingStore) {
            self.answers = answers
            self.store = store
        }

        func catchUp() async throws -> StorageCatchUp {
            let pages = self.store.state.read(\.pages)
            let count = self.asked.update { asked in
                asked.append(pages)
                return asked.count
            }
            return self.answers[min(count, self.answers.count) - 1]
        }
    }

    static let behind = StorageCatchUp.behind(
        through: StreamID(milliseconds: 2, sequence: 0),
        pending: 3,
        undelivered: 1
    )

    func stage(
        _ registry: TimedEventsRegistry,
        _ store: FakeTimingStore,
        _ storage: FakeStorageProgress
    ) -> TimeCrossings {
        TimeCrossings(
            registry: registry,
            store: store,
            settings: TrackSettings(),
            storage: storage,
            storagePoll: .seconds(1),
            now: { Field.time(1_000) }
        )
    }

    func stored() -> FakeTimingStore {
        FakeTimingStore(fixes: [
            TimingStagesTests.device: (0...10).map { Field.fix(Double($0), -15 + 10 * Double($0), 0) }
        ])
    }

    @Test func theRebuildReadsPositions_onlyOnceDurableWriteStoredWhatRaceTimingRead() async throws {
        let course = try Field.straightCourse()
        let (registry, _) = try await TimingStagesTests().registry(TimingStagesTests.events(course))
        let store = self.stored()
        let storage = FakeStorageProgress([Self.behind, Self.behind, .stored], store: store)
        let clock = ManualClock()
        let output = try await PipelineTest.run(PositionEntry.self, clock: clock) {
            self.stage(registry, store, storage)
        } test: { run in
            try await run.send(TimingStagesTests.position(1, 11, 95), TimingStagesTests.position(2, 12, 105))
            for asked in 1...2 {
                try await storage.asked.wait(until: { $0.count == asked })
                try await clock.waitForSleepers(1)
                clock.advance(by: .seconds(1))
            }
            run.finish()
            return try await run.collect()
        }
        #expect(storage.asked.read { $0 } == [0, 0, 0], "no page of fixes read before storage caught up")
        #expect(store.state.read(\.pages) == 1)
        // The stored drive gives the start; the positions the split.
        #expect(output.flatMap(\.changes).map(\.crossing.seq) == [1, 2])
    }

    @Test func aStreamNoGroupStores_isRebuiltAtOnce() async throws {
        let course = try Field.straightCourse()
        let (registry, _) = try await TimingStagesTests().registry(TimingStagesTests.events(course))
        let store = self.stored()
        let storage = FakeStorageProgress([.noStoringGroup(group: "processor")], store: store)
        let output = try await PipelineTest.collect([
            TimingStagesTests.position(1, 11, 95), TimingStagesTests.position(2, 12, 105),
        ]) {
            self.stage(registry, store, storage)
        }
        #expect(storage.asked.read { $0 } == [0], "asked once")
        #expect(output.flatMap(\.changes).map(\.crossing.seq) == [1, 2])
    }

    // MARK: - The answer from XINFO GROUPS and XPENDING

    static func judge(
        timing: StreamID?,
        storing: StreamID?,
        pendingThrough: Bool = false,
        lags: (timing: Int64, storing: Int64)? = nil
    ) async throws -> (StorageCatchUp, asked: [StreamID]) {
        let asked = Watched([StreamID]())
        let answer = try await RedisStorageProgress.judge(
            timing: ConsumerGroupInfo(pending: 5, lag: lags?.timing, lastDelivered: timing),
            storing: ConsumerGroupInfo(pending: 7, lag: lags?.storing, lastDelivered: storing)
        ) { through in
            asked.update { $0.append(through) }
            return pendingThrough
        }
        return (answer, asked.read { $0 })
    }

    @Test func storingGroupPastTheTimingGroup_withNothingPendingUpToIt_hasStored() async throws {
        let (answer, asked) = try await Self.judge(timing: "5-0", storing: "9-0")
        #expect(answer == .stored)
        #expect(asked == ["5-0"], "pending asked up to the timing group's last read entry")
    }

    @Test func storingGroupWithAnEntryPendingUpToIt_isBehind() async throws {
        let (answer, _) = try await Self.judge(timing: "5-0", storing: "5-0", pendingThrough: true)
        #expect(answer == .behind(through: "5-0", pending: 7, undelivered: 0))
    }

    @Test func storingGroupThatHasNotReadAsFar_isBehind_byTheDifferenceOfTheLags() async throws {
        let (answer, asked) = try await Self.judge(timing: "5-0", storing: "4-9", lags: (timing: 10, storing: 14))
        #expect(answer == .behind(through: "5-0", pending: 7, undelivered: 4))
        #expect(asked.isEmpty, "nothing to ask of its pending entries")
        let (unknown, _) = try await Self.judge(timing: "5-0", storing: nil)
        #expect(unknown == .behind(through: "5-0", pending: 7, undelivered: nil), "lags Redis cannot tell")
    }

    @Test func aTimingGroupThatReadNothing_waitsForNothing() async throws {
        #expect(try await Self.judge(timing: nil, storing: nil).0 == .stored)
        #expect(try await Self.judge(timing: "0-0", storing: nil).0 == .stored)
    }

    @Test func lastDeliveredID_isReadFromXINFOGROUPS() {
        let reply = RedisReply.array([
            .array([
                .bulk(Array("name".utf8)), .bulk(Array("race-timing".utf8)), .bulk(Array("consumers".utf8)),
                .integer(1),
                .bulk(Array("pending".utf8)), .integer(2), .bulk(Array("last-delivered-id".utf8)),
                .bulk(Array("1700000000000-3".utf8)),
                .bulk(Array("entries-read".utf8)), .integer(9), .bulk(Array("lag".utf8)), .integer(0),
            ])
        ])
        let groups = ConsumerGroupInfo.parse(reply)
        #expect(
            groups["race-timing"]
                == ConsumerGroupInfo(pending: 2, lag: 0, lastDelivered: "1700000000000-3", entriesRead: 9)
        )
    }
}
