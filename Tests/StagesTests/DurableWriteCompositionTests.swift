import Flow
import FlowTesting
import Stages
import Testing

/// durable-write's stages composed as `Sources/Pipelines/DurableWrite.swift` composes them, over the fakes:
/// source → decode (+ dead-letter) → device-state → batch → write-positions → acknowledge.
@Suite(.timeLimit(.minutes(1)))
struct DurableWriteCompositionTests {
    struct Failures: Sendable, CustomTestStringConvertible {
        var writes: Int
        var acknowledgements: Int
        var testDescription: String { "\(self.writes) failed writes, \(self.acknowledgements) failed XACKs" }
    }

    /// Valid entries (two of them repeats of a stored position) with malformed ones among them, in stream order;
    /// returns (valid ids, malformed ids).
    static func fill(_ redis: FakeStreams) -> (valid: [StreamID], malformed: [StreamID]) {
        var valid: [StreamID] = []
        var malformed: [StreamID] = []
        let positions = (0..<6).map { ("dev-1", $0) } + (0..<4).map { ("dev-2", $0) } + [("dev-1", 2), ("dev-2", 1)]
        for (index, position) in positions.enumerated() {
            valid.append(redis.add(Telemetry.fields(device: position.0, second: position.1), to: Telemetry.stream))
            if index % 4 == 1 { malformed.append(redis.add(Telemetry.malformedFields, to: Telemetry.stream)) }
        }
        return (valid, malformed)
    }

    @Test(arguments: [Failures(writes: 0, acknowledgements: 0), Failures(writes: 2, acknowledgements: 1)])
    func everyValidEntryIsStoredOnceThenAcknowledged_malformedOnesDeadLetteredAtMaxDeliveries(
        failures: Failures
    ) async throws {
        let fixture = StreamFixture()
        let (redis, inFlight) = (fixture.redis, fixture.inFlight)
        let store = FakePositionStore()
        let stats = DurableWriteStats()
        let (valid, malformed) = Self.fill(redis)
        store.failNext(failures.writes)
        redis.failNext(.acknowledge, times: failures.acknowledgements)
        let unstoredAcknowledged = Watched<[StreamID]>([])
        redis.beforeAcknowledging { ids in
            let stored = store.state.read { Set($0.written.joined()) }
            let deadLettered = Set(redis.state.read(\.deadLetteredIDs))
            unstoredAcknowledged.update { $0 += ids.filter { !stored.contains($0) && !deadLettered.contains($0) } }
        }
        try await PipelineTest.run(Never.self, clock: fixture.clock) {
            fixture.streamSource(readCount: 5, claimIdle: .seconds(10))
            Decode()
                .onError(
                    .deadLetter {
                        DeadLetter(
                            redis: redis,
                            settings: .init(
                                stream: Telemetry.stream,
                                group: Telemetry.group,
                                deadLetterStream: Telemetry.deadLetterStream,
                                maxDeliveries: 2
                            ),
                            inFlight: inFlight,
                            stats: stats
                        )
                    }
                )
            DeviceState(store: DeviceStateStore(), history: FakeStoredPositionTimes())
            Batch<PositionEntry>(max: 4, within: .seconds(1))
            WritePositions(store: store, writers: 2, stats: stats)
            Acknowledge<WrittenBatch>(
                redis: redis,
                stream: Telemetry.stream,
                group: Telemetry.group,
                inFlight: inFlight
            )
        } test: { run in
            // Time passes in turns of the source's loop: backoffs end, batches close, malformed entries left pending
            // become idle and are claimed again, until every entry was acknowledged.
            var turns = 0
            while redis.state.read({ Set($0.acknowledged) }) != Set(valid + malformed) {
                turns += 1
                try #require(turns <= 200, "every entry acknowledged within 200 turns")
                try await fixture.turn(after: .seconds(5))
            }
            _ = try await fixture.drain(run)
        }
        #expect(unstoredAcknowledged.read { $0 }.isEmpty, "nothing acknowledged before it was stored")
        #expect(store.state.read(\.timesWritten) == Dictionary(uniqueKeysWithValues: valid.map { ($0, 1) }))
        #expect(store.state.read(\.rows).count == 10)
        #expect((stats.inserted, stats.duplicates, stats.deadLettered) == (10, 2, 3))
        let deadLettered = redis.state.read { $0.model.entries(of: Telemetry.deadLetterStream) }
        #expect(Set(redis.state.read(\.deadLetteredIDs)) == Set(malformed))
        #expect(deadLettered.allSatisfy { $0.value(of: "deliveries") == Array("2".utf8) })
        #expect(redis.pendingList.isEmpty)
        #expect(inFlight.count == 0)
    }
}

extension FakeStreams.State {
    /// The `entry_id`s in the dead-letter stream.
    var deadLetteredIDs: [StreamID] {
        self.model.entries(of: Telemetry.deadLetterStream).compactMap { entry in
            entry.value(of: "entry_id").flatMap { StreamID(String(decoding: $0, as: UTF8.self)) }
        }
    }
}
