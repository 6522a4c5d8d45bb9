import Flow
import FlowTesting
import MetricsTestKit
import Stages
import Testing

/// ``StreamSource`` recovering a dead consumer's backlog: a claim pass goes on page after page while pages come
/// back full, before any new entry is read, and once a page is short the next pass waits for `claimIdle / 2`.
@Suite(.timeLimit(.minutes(1)))
struct StreamSourceClaimPassTests {
    @Test func fullPagesOfIdleEntries_areClaimedOneAfterAnother_withoutWaitingForTheInterval() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.arrangeDeadConsumer(entries: 7, idle: .seconds(60))
        let read = try await fixture.run(fixture.streamSource(readCount: 2, claimIdle: .seconds(60))) { run in
            let read = try await next(7, of: run)
            try await fixture.caughtUp()
            #expect(fixture.clock.now.offset == .zero, "no time passed: no interval waited for")
            return (read, fixture.redis.state.read { ($0.claimLookStarts, $0.claimedIDs) })
        }
        #expect(read.0.map(\.id) == ids)
        #expect(read.0.map(\.deliveries) == Array(repeating: 2, count: 7))
        let (starts, claimed) = read.1
        #expect(starts == [.zero, ids[1].successor, ids[3].successor, ids[5].successor])
        #expect(claimed == [Array(ids[0...1]), Array(ids[2...3]), Array(ids[4...5]), [ids[6]]])
        #expect(fixture.redis.pendingList.allSatisfy { $0.consumer == Telemetry.consumer })
    }

    /// The pass ends at a short page; entries that become idle meanwhile wait for the next pass, `claimIdle / 2`
    /// after that one ended.
    @Test func aShortPage_endsThePass_andTheNextWaitsForTheInterval() async throws {
        let fixture = StreamFixture()
        let ids =
            fixture.redis.arrangeDeadConsumer(entries: 3, idle: .seconds(60))
            // Idle long enough 20 s from now.
            + fixture.redis.arrangeDeadConsumer(entries: 2, consumer: "instance-c", idle: .seconds(40))
        let read = try await fixture.run(fixture.streamSource(readCount: 2, claimIdle: .seconds(60))) { run in
            try await fixture.caughtUp()
            let firstPass = fixture.redis.state.read { ($0.claimLookStarts, $0.claimedIDs) }
            try await fixture.turn(after: .seconds(20))
            let looksAt20 = fixture.redis.state.read { $0.claimLookStarts.count }
            try await fixture.turn(after: .seconds(10))
            let claimedAt30 = fixture.redis.state.read { $0.claimedIDs }
            return (firstPass, looksAt20, claimedAt30, try await fixture.drain(run))
        }
        #expect(read.0.0 == [.zero, ids[1].successor], "a full page, then a short one: the pass ends")
        #expect(read.0.1 == [Array(ids[0...1]), [ids[2]]])
        #expect(read.1 == 2, "3 and 4 are idle long enough at 20 s, but the next pass waits for 30 s")
        #expect(read.2 == [Array(ids[0...1]), [ids[2]], Array(ids[3...4])])
        #expect(read.3.map(\.id) == ids, "each claimed once")
    }

    @Test func claimedEntries_comeBeforeNewEntries() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.arrangeDeadConsumer(entries: 5, idle: .seconds(60))
        let newIDs = fixture.redis.addPositions(4, from: 5)
        let read = try await fixture.run(fixture.streamSource(readCount: 2, claimIdle: .seconds(60))) { run in
            let read = try await next(9, of: run)
            try await fixture.caughtUp()
            return (read, fixture.redis.calls)
        }
        #expect(read.0.map(\.id) == ids + newIDs)
        let commands = read.1.compactMap { call -> String? in
            switch call {
            case .claim: "claim"
            case .readGroup(let read) where read.position == .new: "read new"
            default: nil
            }
        }
        #expect(commands == ["claim", "claim", "claim", "read new", "read new", "read new"])
    }

    @Test func claimedEntries_areCounted_andEachConsumersPendingEntriesAreGauged() async throws {
        let fixture = StreamFixture()
        let metrics = TestMetrics()
        fixture.redis.arrangeDeadConsumer(entries: 5, idle: .seconds(90))
        fixture.redis.arrangeDeadConsumer(entries: 1, consumer: "instance-c", idle: .seconds(10))
        let source = fixture.streamSource(readCount: 2, claimIdle: .seconds(60))
        try await fixture.run(source, metrics: metrics) { run in
            _ = try await next(5, of: run)
            try await fixture.caughtUp()
            let gauge = { (name: String, consumer: String) in
                try metrics.expectGauge(name, [("pipeline", "test"), ("consumer", consumer)]).lastValue
            }
            let claimed = try metrics.expectCounter("flowrun_stream_claimed_total", [("pipeline", "test")])
            #expect(claimed.totalValue == 5)
            // Checked again once the pass that went on page after page ended: instance-b has nothing left.
            #expect(try gauge("flowrun_stream_pending_entries", Telemetry.consumer) == 5)
            #expect(try gauge("flowrun_stream_pending_oldest_seconds", Telemetry.consumer) == 0)
            #expect(try gauge("flowrun_stream_pending_entries", "instance-c") == 1)
            #expect(try gauge("flowrun_stream_pending_oldest_seconds", "instance-c") == 10)
            #expect(throws: (any Error).self, "no gauge for a consumer with nothing pending") {
                try gauge("flowrun_stream_pending_entries", "instance-b")
            }
            let checks = fixture.redis.state.read { $0.calls.filter { $0.command == .pendingCounts }.count }
            #expect(checks == 2, "at the start of the pass and at its end, not on every read")
            _ = try await fixture.drain(run)
        }
    }
}
