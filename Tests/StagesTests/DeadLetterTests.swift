import Flow
import FlowTesting
import MetricsTestKit
import Testing

@testable import Stages

/// ``DeadLetter``: a malformed entry below `maxDeliveries` stays pending; at it, it is appended to the dead-letter
/// stream and only then acknowledged, through failures of either command.
@Suite(.timeLimit(.minutes(1)))
struct DeadLetterTests {
    let fixture = StreamFixture()
    let stats = DurableWriteStats()
    let id = Telemetry.id(5)

    init() {
        let id = self.id
        self.fixture.redis.add(Telemetry.malformedFields, to: Telemetry.stream, id: id)
        self.fixture.redis.arrangeGroup(delivering: 1)
        self.fixture.inFlight.insert([id])
    }

    var deadLetter: DeadLetter {
        DeadLetter(
            redis: self.fixture.redis,
            settings: .init(
                stream: Telemetry.stream,
                group: Telemetry.group,
                deadLetterStream: Telemetry.deadLetterStream,
                maxDeliveries: 3
            ),
            inFlight: self.fixture.inFlight,
            stats: self.stats
        )
    }

    /// The entry, delivered `deliveries` times, as ``Decode`` routes it to the branch.
    func failure(deliveries: Int) throws -> Failed<StreamEntry> {
        let entry = StreamEntry(id: self.id, fields: Telemetry.malformedFields, deliveries: deliveries)
        guard case .failure(let error) = PositionDecoder.decode(entry) else { throw DecodedAfterAll() }
        return Failed(item: entry, error: error, stage: "decode", attempts: 1)
    }

    struct DecodedAfterAll: Error {}

    var pendingIDs: [StreamID] {
        self.fixture.redis.pendingList.map(\.id)
    }

    @Test func belowMaxDeliveries_leavesTheEntryPending_andNoLongerInFlight() async throws {
        let metrics = TestMetrics()
        _ = try await PipelineTest.collect(
            [try self.failure(deliveries: 2)],
            configuration: PipelineTest.configuration(metrics: metrics)
        ) { self.deadLetter }
        #expect(self.fixture.redis.calls.isEmpty, "no XADD, no XACK")
        #expect(self.pendingIDs == [self.id])
        #expect(!self.fixture.inFlight.contains(self.id), "so that it is claimed once idle")
        #expect(self.stats.deadLettered == 0)
        let errors = try metrics.expectCounter(
            "flowrun_decode_errors_total",
            [("pipeline", "test"), ("reason", "not_json")]
        )
        #expect(errors.totalValue == 1)
    }

    @Test(arguments: [3, 4])
    func atOrPastMaxDeliveries_isAppendedToTheDeadLetterStream_thenAcknowledged(deliveries: Int) async throws {
        let metrics = TestMetrics()
        let failed = try self.failure(deliveries: deliveries)
        _ = try await PipelineTest.collect([failed], configuration: PipelineTest.configuration(metrics: metrics)) {
            self.deadLetter
        }
        let reason = try #require(failed.error as? DecodeError)
        let fields: [(String, String)] = [
            ("entry_id", "5-0"), ("reason", reason.description), ("code", "not_json"), ("deliveries", "\(deliveries)"),
            ("field:device_id", "356307042441013"), ("field:payload", "not json"),
        ]
        #expect(
            self.fixture.redis.calls == [
                .append(
                    stream: Telemetry.deadLetterStream,
                    fields: fields.map { StreamEntry.Field(name: $0.0, value: Array($0.1.utf8)) }
                ),
                .acknowledge(ids: [self.id], stream: Telemetry.stream, group: Telemetry.group),
            ]
        )
        #expect(self.pendingIDs.isEmpty)
        #expect(!self.fixture.inFlight.contains(self.id))
        #expect(self.stats.deadLettered == 1)
        #expect(try metrics.expectCounter("flowrun_dead_lettered_total", [("pipeline", "test")]).totalValue == 1)
    }

    @Test func failingAppend_isRetriedWithBackoff_andNothingIsAcknowledgedBeforeItWorks() async throws {
        self.fixture.redis.failNext(.append, times: 2)
        let clock = self.fixture.clock
        try await PipelineTest.run(Failed<StreamEntry>.self, clock: clock) {
            self.deadLetter
        } test: { run in
            try await run.send(try self.failure(deliveries: 3))
            for backoff in [Duration.milliseconds(100), .milliseconds(200)] {
                try await clock.waitForSleepers(1)
                #expect(self.fixture.redis.state.read(\.acknowledged).isEmpty)
                #expect(self.fixture.inFlight.contains(self.id))
                clock.advance(by: backoff)
            }
            run.finish()
            try await run.completion()
        }
        let commands = self.fixture.redis.state.read { $0.records.map { ($0.call.command, $0.failed) } }
        #expect(commands.map(\.0) == [.append, .append, .append, .acknowledge])
        #expect(commands.map(\.1) == [true, true, false, false])
        #expect(self.pendingIDs.isEmpty)
        #expect(self.stats.deadLettered == 1)
    }

    /// A failed `XACK` is retried with the whole step: appended again, so the dead-letter stream may hold the entry
    /// twice, never zero times, and it is still never acknowledged before an append.
    @Test func failingAcknowledgement_isRetried_afterAppendingAgain() async throws {
        self.fixture.redis.failNext(.acknowledge)
        let clock = self.fixture.clock
        try await PipelineTest.run(Failed<StreamEntry>.self, clock: clock) {
            self.deadLetter
        } test: { run in
            try await run.send(try self.failure(deliveries: 3))
            try await clock.waitForSleepers(1)
            #expect(self.pendingIDs == [self.id], "not acknowledged yet")
            clock.advance(by: .milliseconds(100))
            run.finish()
            try await run.completion()
        }
        let commands = self.fixture.redis.state.read { $0.records.map { ($0.call.command, $0.failed) } }
        #expect(commands.map(\.0) == [.append, .acknowledge, .append, .acknowledge])
        #expect(commands.map(\.1) == [false, true, false, false])
        let deadLettered = self.fixture.redis.state.read { $0.model.entries(of: Telemetry.deadLetterStream) }
        #expect(deadLettered.map { $0.value(of: "entry_id") } == [Array("5-0".utf8), Array("5-0".utf8)])
        #expect(self.pendingIDs.isEmpty)
        #expect(self.stats.deadLettered == 1, "counted once")
    }
}
