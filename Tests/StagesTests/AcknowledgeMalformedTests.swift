import Flow
import FlowTesting
import MetricsTestKit
import Stages
import Testing

/// ``AcknowledgeMalformed`` as race-timing composes it after ``Decode``: exactly the malformed entry
/// acknowledged in its group and out of ``InFlightEntries``, counted once it is, a failed `XACK` retried.
@Suite(.timeLimit(.minutes(1)))
struct AcknowledgeMalformedTests {
    let fixture = StreamFixture()
    let metrics = TestMetrics()
    /// A position, then an entry whose payload is not JSON.
    let entries: [StreamEntry]

    init() {
        let ids = self.fixture.redis.addPositions(2)
        self.fixture.redis.arrangeGroup(delivering: 2)
        self.fixture.inFlight.insert(ids)
        let deviceID = Array(DecodeFixture.deviceID.utf8)
        self.entries = [
            DecodeFixture.entry(deviceID: deviceID, payload: Array(DecodeFixture.Payload().text.utf8), id: ids[0]),
            DecodeFixture.entry(deviceID: deviceID, payload: Array("hello".utf8), id: ids[1]),
        ]
    }

    var acknowledgeMalformed: AcknowledgeMalformed {
        AcknowledgeMalformed(
            redis: self.fixture.redis,
            stream: Telemetry.stream,
            group: Telemetry.group,
            inFlight: self.fixture.inFlight
        )
    }

    /// `flowrun_decode_errors_total` of the malformed entry's reason.
    var counted: Int64 {
        self.metrics.counterTotal(
            label: "flowrun_decode_errors_total",
            dimensions: [("pipeline", "test"), ("reason", "not_json")]
        )
    }

    @Test func aMalformedEntry_isAcknowledgedExactly_leavesInFlight_andIsCounted() async throws {
        #expect(self.acknowledgeMalformed.name == "acknowledge-malformed")
        let decoded = try await PipelineTest.collect(
            self.entries,
            configuration: PipelineTest.configuration(metrics: self.metrics)
        ) {
            Decode().onError(.deadLetter { self.acknowledgeMalformed })
        }
        #expect(decoded.map(\.entryID) == [self.entries[0].id])
        #expect(
            self.fixture.redis.calls == [
                .acknowledge(ids: [self.entries[1].id], stream: Telemetry.stream, group: Telemetry.group)
            ]
        )
        #expect(self.fixture.redis.pendingList.map(\.id) == [self.entries[0].id])
        #expect(self.entries.map { self.fixture.inFlight.contains($0.id) } == [true, false])
        #expect(self.counted == 1)
    }

    @Test func aFailingAcknowledgement_isRetried_andTheEntryCountedOnceAcknowledged() async throws {
        self.fixture.redis.failNext(.acknowledge)
        let clock = self.fixture.clock
        try await PipelineTest.run(
            StreamEntry.self,
            configuration: PipelineTest.configuration(clock: clock, metrics: self.metrics)
        ) {
            Decode().onError(.deadLetter { self.acknowledgeMalformed })
        } test: { run in
            try await run.send(self.entries[1])
            try await clock.waitForSleepers(1)
            #expect(self.fixture.inFlight.contains(self.entries[1].id))
            #expect(self.counted == 0, "not counted before it is acknowledged")
            clock.advance(by: .milliseconds(100))
            run.finish()
            try await run.completion()
        }
        #expect(self.fixture.redis.state.read { $0.records.map(\.failed) } == [true, false])
        #expect(!self.fixture.inFlight.contains(self.entries[1].id))
        #expect(self.counted == 1)
    }
}
