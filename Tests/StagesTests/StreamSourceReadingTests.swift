import Flow
import FlowTesting
import Stages
import Testing

/// ``StreamSource``: where its group starts, the order it reads in (own pending entries, then new ones), what it
/// does not read again, and how it stops.
@Suite(.timeLimit(.minutes(1)))
struct StreamSourceReadingTests {
    static let starts: [(GroupStart, [UInt64])] = [
        (.beginning, [1, 2, 3, 4]),
        (.end, [4]),
        (.after(Telemetry.id(2)), [3, 4]),
    ]

    @Test(arguments: Self.starts)
    func noGroup_isCreatedAtStartAt_andReadFromThere(start: GroupStart, expected: [UInt64]) async throws {
        let fixture = StreamFixture()
        fixture.redis.addPositions(3)
        let read = try await fixture.run(fixture.streamSource(startAt: start)) { run in
            try await fixture.caughtUp()
            fixture.redis.addPositions(1, from: 3)  // after the group was created
            return try await next(expected.count, of: run).map(\.id) + fixture.drain(run).map(\.id)
        }
        #expect(read == expected.map(Telemetry.id))
        let create = FakeStreams.Call.createGroup(group: Telemetry.group, stream: Telemetry.stream, start: start)
        #expect(fixture.redis.calls.first == create)
    }

    @Test func existingGroup_keepsItsPosition() async throws {
        let fixture = StreamFixture()
        fixture.redis.addPositions(3)
        fixture.redis.arrangeGroup(delivering: 2, to: "instance-b")
        let read = try await fixture.run(fixture.streamSource(startAt: .beginning)) { run in
            try await fixture.caughtUp()
            return try await fixture.drain(run)
        }
        #expect(read.map(\.id) == [Telemetry.id(3)], "not from the beginning: the group had delivered 1 and 2")
        #expect(fixture.redis.state.read { $0.succeeded(.createGroup).count } == 1)
    }

    @Test func restart_ownPendingEntriesComeBeforeNewOnes_withTheirDeliveryCounts() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(5)
        fixture.redis.arrangeGroup(delivering: 3)
        fixture.redis.arrangeReadAgain(after: ids[0])  // entry 2, once already before this restart
        let read = try await fixture.run(fixture.streamSource(readCount: 2)) { run in
            try await fixture.caughtUp()
            return try await fixture.drain(run)
        }
        #expect(read.map(\.id) == ids, "pending 1, 2, 3 first, then the new 4 and 5")
        #expect(read.map(\.deliveries) == [2, 3, 2, 1, 1])
        let positions = fixture.redis.calls.compactMap { call -> GroupRead.Position? in
            guard case .readGroup(let read) = call else { return nil }
            return read.position
        }
        #expect(
            positions.prefix(4) == [.pending(after: .zero), .pending(after: ids[1]), .pending(after: ids[2]), .new]
        )
    }

    @Test func ownPendingEntryStillInFlight_isNotReadAgain() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(4)
        fixture.redis.arrangeGroup(delivering: 3)
        fixture.inFlight.insert([ids[1]])  // a later stage still works on it
        let read = try await fixture.run(fixture.streamSource()) { run in
            try await fixture.caughtUp()
            return try await fixture.drain(run)
        }
        #expect(read.map(\.id) == [ids[0], ids[2], ids[3]])
    }

    /// After a reconnect, own pending entries not in flight (left pending by the dead-letter stage) are read
    /// again among many still in flight: their delivery counts must still be Redis's.
    @Test func ownPendingEntriesReadAgain_amongManyInFlight_carryTheirExactDeliveryCounts() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(30)
        fixture.redis.arrangeGroup(delivering: 30)
        fixture.redis.arrangeReadAgain(after: ids[28], times: 2)  // the last one was read twice more before
        fixture.inFlight.insert(Array(ids[1...28]))
        let read = try await fixture.run(fixture.streamSource(readCount: 30)) { run in
            try await fixture.caughtUp()
            return try await fixture.drain(run)
        }
        #expect(read.map(\.id) == [ids[0], ids[29]])
        #expect(read.map(\.deliveries) == [2, 4])
    }

    @Test func everyEntrySent_isInFlightBeforeItIsSent() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(6)
        fixture.redis.arrangeGroup(delivering: 2)  // own pending
        fixture.redis.arrange { $0.deliver(2, of: Telemetry.stream, group: Telemetry.group, to: "instance-b") }
        fixture.redis.arrangeIdle(by: .seconds(60))  // claimed
        let inFlight = fixture.inFlight
        let seen = try await PipelineTest.run(Never.self, clock: fixture.clock) {
            fixture.streamSource(readCount: 2)
            Map { (entry: StreamEntry) in (entry.id, inFlight.contains(entry.id)) }
        } test: { run in
            try await fixture.caughtUp()
            return try await fixture.drain(run)
        }
        #expect(Set(seen.map(\.0)) == Set(ids))
        #expect(seen.allSatisfy { $0.1 }, "each entry was in flight when the next stage got it")
    }

    /// The next stage takes one entry and holds it, so the source waits to send the other nine when the pipeline is
    /// stopped: they were recorded before the sending began, so a forced stop counts them as left pending.
    @Test func entriesTheSourceWaitsToSend_areInFlightAlready() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(10)
        var configuration = PipelineTest.configuration(clock: fixture.clock)
        configuration.backpressure = .capacity(1)
        let never = Gate()
        try await PipelineTest.run(Never.self, configuration: configuration) {
            fixture.streamSource(readCount: 10)
            Sink { (_: StreamEntry) in try await never.wait() }
        } test: { _ in
            try await fixture.redis.wait {
                $0.model.lastDelivered(of: Telemetry.stream, group: Telemetry.group) == ids.last
            }
        }  // returning cancels the pipeline, the source still waiting to send
        #expect(ids.filter { !fixture.inFlight.contains($0) }.isEmpty)
    }

    @Test func ownPendingEntryDeletedFromTheStream_isAcknowledged_andNotSent() async throws {
        let fixture = StreamFixture()
        let ids = fixture.redis.addPositions(3)
        fixture.redis.arrangeGroup(delivering: 3)
        fixture.redis.arrange { $0.delete(ids[1], from: Telemetry.stream) }
        let read = try await fixture.run(fixture.streamSource()) { run in
            try await fixture.caughtUp()
            return try await fixture.drain(run)
        }
        #expect(read.map(\.id) == [ids[0], ids[2]])
        #expect(fixture.redis.state.read(\.acknowledged) == [ids[1]])
        #expect(fixture.redis.pendingList.map(\.id) == [ids[0], ids[2]])
    }

    @Test func drain_whileWaitingForEntries_stopsReading_andTheRunEnds() async throws {
        let fixture = StreamFixture()
        fixture.redis.addPositions(2)
        let (readsBefore, rest) = try await fixture.run(fixture.streamSource()) { run in
            _ = try await next(2, of: run)
            try await fixture.caughtUp()
            let reads = fixture.redis.state.read { $0.calls.filter { $0.command == .readGroup }.count }
            return (reads, try await fixture.drain(run))
        }
        #expect(rest.isEmpty)
        let readsAfter = fixture.redis.state.read { $0.calls.filter { $0.command == .readGroup }.count }
        #expect(readsAfter == readsBefore, "no read after the drain began; the waiting one ended it")
    }
}
