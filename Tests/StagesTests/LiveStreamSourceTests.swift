import Flow
import FlowTesting
import Stages
import Testing

/// ``LiveStreamSource``: its group at the stream's end at every start, reads that leave nothing pending, a group
/// deleted meanwhile made again, and a lost connection retried with backoff.
@Suite(.timeLimit(.minutes(1)))
struct LiveStreamSourceTests {
    static let group = "live-broadcast-a"

    static func groupCommands(_ fixture: StreamFixture) -> [FakeStreams.Call] {
        fixture.redis.calls.filter { [.createGroup, .moveGroupToEnd].contains($0.command) }
    }

    @Test func noGroup_isCreatedAtTheStreamsEnd_soHistoryIsNotSent() async throws {
        let fixture = StreamFixture()
        fixture.redis.addPositions(2)
        let read = try await fixture.run(fixture.liveSource()) { run in
            try await fixture.caughtUp()
            let added = fixture.redis.addPositions(1, from: 2)
            return (added, try await next(1, of: run) + fixture.drain(run))
        }
        #expect(read.1.map(\.id) == read.0)
        #expect(Self.groupCommands(fixture) == [.createGroup(group: Self.group, stream: Telemetry.stream, start: .end)])
    }

    @Test func existingGroup_isMovedToTheStreamsEnd() async throws {
        let fixture = StreamFixture()
        fixture.redis.addPositions(2)
        fixture.redis.arrange { _ = $0.createGroup(Self.group, on: Telemetry.stream, at: .beginning) }
        let read = try await fixture.run(fixture.liveSource()) { run in
            try await fixture.caughtUp()
            let added = fixture.redis.addPositions(1, from: 2)
            return (added, try await next(1, of: run) + fixture.drain(run))
        }
        #expect(read.1.map(\.id) == read.0, "not the two entries from before the start")
        #expect(
            Self.groupCommands(fixture) == [
                .createGroup(group: Self.group, stream: Telemetry.stream, start: .end),
                .moveGroupToEnd(group: Self.group, stream: Telemetry.stream),
            ]
        )
    }

    @Test func reads_useNoAck_andLeaveNothingPending() async throws {
        let fixture = StreamFixture()
        let read = try await fixture.run(fixture.liveSource()) { run in
            try await fixture.caughtUp()
            fixture.redis.addPositions(3)
            return try await next(3, of: run)
        }
        #expect(read.count == 3)
        let reads = fixture.redis.calls.compactMap { call -> GroupRead? in
            guard case .readGroup(let read) = call else { return nil }
            return read
        }
        #expect(!reads.isEmpty && reads.allSatisfy { $0.noAck && $0.position == .new && $0.block == .seconds(1) })
        #expect(fixture.redis.state.read { $0.model.pendingList(of: Telemetry.stream, group: Self.group) }.isEmpty)
    }

    @Test func groupDeletedMeanwhile_isCreatedAgainAtTheEnd_afterABackoff() async throws {
        let fixture = StreamFixture()
        let read = try await fixture.run(fixture.liveSource()) { run in
            try await fixture.caughtUp()
            fixture.redis.arrange { $0.destroyGroup(Self.group, on: Telemetry.stream) }
            fixture.redis.wakeBlockedReads()  // the waiting read answers NOGROUP
            try await fixture.clock.waitForSleepers(1)
            #expect(Self.groupCommands(fixture).count == 1, "not before the backoff")
            fixture.clock.advance(by: .milliseconds(100))
            try await fixture.caughtUp(2)
            let added = fixture.redis.addPositions(1)
            return (added, try await next(1, of: run))
        }
        #expect(read.1.map(\.id) == read.0)
        let createGroup = FakeStreams.Call.createGroup(group: Self.group, stream: Telemetry.stream, start: .end)
        #expect(Self.groupCommands(fixture) == [createGroup, createGroup])
    }

    /// A short outage: reading goes on where the group stands, so what came meanwhile is still sent.
    @Test func lostConnection_isRetriedWithAGrowingBackoff_withoutMovingTheGroup() async throws {
        let fixture = StreamFixture()
        fixture.redis.failNext(.readGroup, times: 2)
        let read = try await fixture.run(fixture.liveSource()) { run in
            var added: [StreamID] = []
            for backoff in [Duration.milliseconds(100), .milliseconds(200)] {
                try await fixture.clock.waitForSleepers(1)
                added += fixture.redis.addPositions(1, from: added.count)
                fixture.clock.advance(by: backoff - .milliseconds(1))
                #expect(fixture.clock.sleeperCount == 1, "backoff \(backoff)")
                fixture.clock.advance(by: .milliseconds(1))
            }
            return (added, try await next(2, of: run))
        }
        #expect(read.1.map(\.id) == read.0)
        #expect(Self.groupCommands(fixture).count == 1)
    }
}
