import Flow
import FlowTesting
import Stages
import Testing

/// ``StreamSource`` claiming idle entries: whose, when, how it pages through the pending list, and which it
/// never takes back.
@Suite(.timeLimit(.minutes(1)))
struct StreamSourceClaimTests {
    @Test func entriesIdlePastClaimIdleWithAnotherConsumer_areClaimed_withTheirNextDeliveryCount() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(4)
        fixture.redis.arrangeGroup(delivering: 3, to: "instance-b")
        fixture.redis.arrangeIdle(Array(ids[0...1]), by: .seconds(60))
        fixture.redis.arrangeIdle([ids[2]], by: .seconds(59))
        let read = try await fixture.run(fixture.streamSource(claimIdle: .seconds(60))) { run in
            try await fixture.caughtUp()
            return try await fixture.drain(run)
        }
        #expect(read.map(\.id) == [ids[0], ids[1], ids[3]], "1 and 2 claimed, 3 not idle long enough, then new 4")
        #expect(read.map(\.deliveries) == [2, 2, 1])
        let claims = fixture.redis.state.read { $0.succeeded(.claim) }
        #expect(
            claims == [
                .claim(
                    ids: Array(ids[0...1]),
                    stream: Telemetry.stream,
                    group: Telemetry.group,
                    consumer: Telemetry.consumer,
                    minIdle: .seconds(60)
                )
            ]
        )
        #expect(
            fixture.redis.pendingList.map(\.consumer) == [
                Telemetry.consumer, Telemetry.consumer, "instance-b", Telemetry.consumer,
            ]
        )
    }

    /// Pages of `read_count`: the page after a full one, and from the oldest again at the next pass.
    @Test func claimPasses_pageThroughThePendingList_thenTheNextStartsAgainFromTheOldest() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.arrangeDeadConsumer(entries: 5, idle: .seconds(60))
        let read = try await fixture.run(fixture.streamSource(readCount: 2, claimIdle: .seconds(60))) { run in
            try await fixture.caughtUp()  // the first pass, at once: three pages
            for _ in 0..<2 { try await fixture.turn(after: .seconds(30)) }  // a pass every claimIdle / 2
            return try await fixture.drain(run)
        }
        #expect(read.map(\.id) == ids, "each idle entry claimed once")
        let (starts, claimed) = fixture.redis.state.read { ($0.claimLookStarts, $0.claimedIDs) }
        // At 30 s nothing is idle long enough; at 60 s all five are again, but this instance still works on them.
        #expect(
            starts == [.zero, ids[1].successor, ids[3].successor, .zero, .zero, ids[1].successor, ids[3].successor]
        )
        #expect(claimed == [Array(ids[0...1]), Array(ids[2...3]), [ids[4]]])
    }

    @Test func ownEntriesInFlight_areNeverClaimedBack_butOneLeftPendingIs() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(2)
        let read = try await fixture.run(fixture.streamSource(claimIdle: .seconds(60))) { run in
            let first = try await next(2, of: run)
            try await fixture.turn(after: .seconds(60))  // both idle, both in flight
            let claimedWhileInFlight = fixture.redis.state.read { $0.calls.filter { $0.command == .claim } }
            fixture.inFlight.remove([ids[1]])  // as the dead-letter stage leaves a malformed entry pending
            try await fixture.turn(after: .seconds(30))
            return (first, claimedWhileInFlight, try await fixture.drain(run))
        }
        #expect(read.0.map(\.id) == ids)
        #expect(read.1.isEmpty, "idle only because a later stage still works on them")
        #expect(read.2.map(\.id) == [ids[1]])
        #expect(read.2.map(\.deliveries) == [2])
    }

    @Test func noIdleEntries_claimLooksComeAtMostEveryHalfClaimIdle() async throws {
        let fixture = StreamFixture()
        try await fixture.run(fixture.streamSource(claimIdle: .seconds(60))) { run in
            try await fixture.caughtUp()
            try await fixture.turn(after: .seconds(29))
            let looksBefore = fixture.redis.state.read { $0.claimLookStarts.count }
            try await fixture.turn(after: .seconds(1))
            let looksAfter = fixture.redis.state.read { $0.claimLookStarts.count }
            #expect(looksBefore == 1, "the first look, at start; none 29 s later")
            #expect(looksAfter == 2, "30 s after the last one")
            _ = try await fixture.drain(run)
        }
    }
}

extension FakeStreams.State {
    /// Where each claim look (`XPENDING … IDLE`) started, in order.
    var claimLookStarts: [StreamID] {
        self.calls.compactMap { call in
            guard case .pending(let query) = call, query.minIdle != nil else { return nil }
            return query.start
        }
    }

    /// The ids of each `XCLAIM` that did not fail, in order.
    var claimedIDs: [[StreamID]] {
        self.succeeded(.claim).map { call in
            guard case .claim(let ids, _, _, _, _) = call else { return [] }
            return ids
        }
    }
}
