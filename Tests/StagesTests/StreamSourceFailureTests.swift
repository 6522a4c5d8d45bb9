import Flow
import FlowTesting
import Stages
import Testing

/// ``StreamSource`` when Redis fails: backoff on the pipeline's clock, and reading again from its own pending
/// entries' start, so that an entry of a lost reply is read again rather than lost.
@Suite(.timeLimit(.minutes(1)))
struct StreamSourceFailureTests {
    @Test func failedReads_areRetriedAfterAGrowingBackoff_onThePipelineClock() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(2)
        fixture.redis.failNext(.readGroup, times: 2)
        let read = try await fixture.run(fixture.streamSource()) { run in
            for backoff in [Duration.milliseconds(100), .milliseconds(200)] {
                try await fixture.clock.waitForSleepers(1)
                let calls = fixture.redis.calls.count
                fixture.clock.advance(by: backoff - .milliseconds(1))
                #expect(fixture.clock.sleeperCount == 1, "still waiting \(backoff)")
                #expect(fixture.redis.calls.count == calls, "nothing sent while waiting")
                fixture.clock.advance(by: .milliseconds(1))
            }
            return try await next(2, of: run)
        }
        #expect(read.map(\.id) == ids)
        let records = fixture.redis.state.read(\.records)
        #expect(records.filter(\.failed).count == 2)
        #expect(records.filter { $0.call.command == .createGroup }.count == 3, "the group is made sure of again")
    }

    /// An `XPENDING` for the delivery counts fails after the page was read: the page is read again from the
    /// first pending entry, not after it.
    @Test func failureWhileReadingOwnPendingEntries_readsThemAgainFromTheStart() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(3)
        fixture.redis.arrangeGroup(delivering: 3)
        fixture.redis.failNext(.pending)
        let read = try await fixture.run(fixture.streamSource(readCount: 2)) { run in
            try await fixture.clock.waitForSleepers(1)
            fixture.clock.advance(by: .milliseconds(100))
            try await fixture.caughtUp()
            return try await fixture.drain(run)
        }
        #expect(read.map(\.id) == ids, "each sent once")
        #expect(read.map(\.deliveries) == [3, 3, 2], "1 and 2 were delivered by the read whose counts failed too")
        #expect(
            Array(Self.readPositions(fixture.redis.calls).prefix(3)) == [
                .pending(after: .zero), .pending(after: .zero), .pending(after: ids[1]),
            ]
        )
    }

    /// A failure after the source read everything: it reads its pending entries again from the start (a lost
    /// reply may have delivered some), skipping those still in flight, so none is sent twice.
    @Test func failureOfANewRead_readsOwnPendingAgain_skippingWhatIsInFlight() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(3)
        let (first, rest) = try await fixture.run(fixture.streamSource()) { run in
            let first = try await next(3, of: run)
            try await fixture.caughtUp()
            fixture.redis.failNext(.readGroup)
            fixture.redis.wakeBlockedReads()  // the next read, of new entries, fails
            try await fixture.clock.waitForSleepers(1)
            fixture.clock.advance(by: .milliseconds(100))
            try await fixture.caughtUp(2)
            return (first, try await fixture.drain(run))
        }
        #expect(first.map(\.id) == ids)
        #expect(rest.isEmpty, "all three were still in flight")
        let positions = Self.readPositions(fixture.redis.state.read { $0.records.map(\.call) })
        let failed = try #require(
            fixture.redis.state.read { $0.records.filter { $0.call.command == .readGroup }.firstIndex(where: \.failed) }
        )
        #expect(positions[failed] == .new)
        #expect(Array(positions[(failed + 1)...]) == [.pending(after: .zero), .pending(after: ids[2]), .new])
    }

    static func readPositions(_ calls: [FakeStreams.Call]) -> [GroupRead.Position] {
        calls.compactMap { call in
            guard case .readGroup(let read) = call else { return nil }
            return read.position
        }
    }
}
