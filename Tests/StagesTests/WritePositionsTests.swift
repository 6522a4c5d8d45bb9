import Flow
import FlowTesting
import Stages
import Testing

/// ``WritePositions``: a ``WrittenBatch`` of exactly the batch's entries, only once the store returned; retries
/// until stored; exact counts; several batches at once.
@Suite(.timeLimit(.minutes(1)))
struct WritePositionsTests {
    @Test func aBatch_isHandedOnAsItsEntryIDs_onlyAfterTheStoreReturned() async throws {
        let gate = Gate()
        let store = FakePositionStore(holdingWritesUntil: gate)
        let handedOn = Watched(0)
        let batch = Telemetry.positions(first: 1, [("a", 1), ("b", 1), ("a", 2)])
        let written = try await PipelineTest.run([PositionEntry].self) {
            WritePositions(store: store, writers: 1)
            counting(WrittenBatch.self, into: handedOn)
        } test: { run in
            try await run.send(batch)
            try await store.state.wait { $0.inFlight == 1 }
            #expect(handedOn.read { $0 } == 0, "the write has not returned")
            gate.open()
            return try await run.next()
        }
        #expect(
            written == WrittenBatch(entryIDs: batch.map(\.entryID), outcome: WriteOutcome(inserted: 3, duplicates: 0))
        )
    }

    @Test func aFailingStore_isRetriedWithBackoffUntilItSucceeds_andNothingIsHandedOnMeanwhile() async throws {
        let clock = ManualClock()
        let store = FakePositionStore()
        store.failNext(2)
        let handedOn = Watched(0)
        let batch = Telemetry.positions(first: 1, [("a", 1), ("a", 2)])
        let written = try await PipelineTest.run([PositionEntry].self, clock: clock) {
            WritePositions(store: store, writers: 1)
            counting(WrittenBatch.self, into: handedOn)
        } test: { run in
            try await run.send(batch)
            for (attempt, backoff) in [Duration.milliseconds(100), .milliseconds(200)].enumerated() {
                try await clock.waitForSleepers(1)
                #expect(store.state.read(\.attempts).count == attempt + 1)
                #expect(handedOn.read { $0 } == 0)
                clock.advance(by: backoff)
            }
            run.finish()
            return try await run.collect()
        }
        #expect(written.map(\.entryIDs) == [batch.map(\.entryID)], "handed on once")
        #expect(store.state.read(\.attempts).count == 3)
        #expect(store.state.read(\.timesWritten) == [Telemetry.id(1): 1, Telemetry.id(2): 1])
    }

    @Test func outcomes_countInsertedAndDuplicates_alsoWithinOneBatch() async throws {
        let stats = DurableWriteStats()
        let store = FakePositionStore()
        let batches = [
            Telemetry.positions(first: 1, [("a", 1)]),
            // a@1 stored already; b@1 twice in this batch.
            Telemetry.positions(first: 2, [("a", 1), ("b", 1), ("b", 1), ("c", 1)]),
        ]
        let written = try await PipelineTest.collect(batches) {
            WritePositions(store: store, writers: 1, stats: stats)
        }
        #expect(
            written.map(\.outcome) == [
                WriteOutcome(inserted: 1, duplicates: 0), WriteOutcome(inserted: 2, duplicates: 2),
            ]
        )
        #expect(stats.inserted == 3)
        #expect(stats.duplicates == 2)
        let firstStored = store.state.read { $0.rows[FakePositionStore.Key(device: "b", timestamp: Telemetry.time(1))] }
        #expect(firstStored?.entryID == Telemetry.id(3), "the first one stored wins")
    }

    @Test func twoWriters_writeTwoBatchesAtOnce() async throws {
        let gate = Gate()
        let store = FakePositionStore(holdingWritesUntil: gate)
        let batches = [Telemetry.positions(first: 1, [("a", 1)]), Telemetry.positions(first: 2, [("b", 1)])]
        let written = try await PipelineTest.run([PositionEntry].self) {
            WritePositions(store: store, writers: 2)
        } test: { run in
            try await run.send(contentsOf: batches)
            try await store.state.wait { $0.inFlight == 2 }  // both started before either returned
            gate.open()
            return try await next(2, of: run)
        }
        #expect(Set(written.map(\.entryIDs)) == Set(batches.map { $0.map(\.entryID) }))
        #expect(store.state.read(\.mostInFlight) == 2)
    }
}
