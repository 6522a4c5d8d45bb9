import Flow
import FlowTesting
import Stages
import Testing

/// ``Acknowledge``: exactly a written batch's entries, in the right stream and group, then out of
/// ``InFlightEntries``; a failed `XACK` retried with them still in flight.
@Suite(.timeLimit(.minutes(1)))
struct AcknowledgeTests {
    let fixture = StreamFixture()
    let ids: [StreamID]

    init() {
        self.ids = self.fixture.redis.addPositions(3)
        self.fixture.redis.arrangeGroup(delivering: 3)
        self.fixture.inFlight.insert(self.ids)
    }

    var acknowledge: Acknowledge<WrittenBatch> {
        Acknowledge<WrittenBatch>(
            redis: self.fixture.redis,
            stream: Telemetry.stream,
            group: Telemetry.group,
            inFlight: self.fixture.inFlight
        )
    }

    var pendingIDs: [StreamID] {
        self.fixture.redis.pendingList.map(\.id)
    }

    @Test func aWrittenBatch_isAcknowledgedExactly_andLeavesInFlight() async throws {
        let written = WrittenBatch(
            entryIDs: [self.ids[0], self.ids[2]],
            outcome: WriteOutcome(inserted: 1, duplicates: 1)
        )
        _ = try await PipelineTest.collect([written]) { self.acknowledge }
        #expect(
            self.fixture.redis.calls == [
                .acknowledge(ids: written.entryIDs, stream: Telemetry.stream, group: Telemetry.group)
            ]
        )
        #expect(self.pendingIDs == [self.ids[1]])
        #expect(self.ids.map(self.fixture.inFlight.contains) == [false, true, false])
    }

    @Test func aFailingAcknowledgement_isRetriedWithBackoff_withTheEntriesStillInFlight() async throws {
        self.fixture.redis.failNext(.acknowledge, times: 2)
        let clock = self.fixture.clock
        let written = WrittenBatch(entryIDs: self.ids, outcome: WriteOutcome(inserted: 3, duplicates: 0))
        try await PipelineTest.run(WrittenBatch.self, clock: clock) {
            self.acknowledge
        } test: { run in
            try await run.send(written)
            for backoff in [Duration.milliseconds(100), .milliseconds(200)] {
                try await clock.waitForSleepers(1)
                #expect(self.fixture.inFlight.count == 3)
                #expect(self.pendingIDs == self.ids)
                clock.advance(by: backoff)
            }
            run.finish()
            try await run.completion()
        }
        #expect(self.fixture.redis.state.read { $0.records.map(\.failed) } == [true, true, false])
        #expect(self.pendingIDs.isEmpty)
        #expect(self.fixture.inFlight.count == 0)
    }
}
