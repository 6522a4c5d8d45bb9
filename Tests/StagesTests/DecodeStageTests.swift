import Flow
import FlowTesting
import Stages
import Testing

/// ``Decode`` as a stage: what it hands on, and where a malformed entry goes under each policy. The decoder
/// itself is tested in `PositionDecoderTests` and `MalformedEntryTests`.
@Suite(.timeLimit(.minutes(1)))
struct DecodeStageTests {
    @Test func contractEntry_becomesAPositionEntry_withTheEntrysID() async throws {
        let entry = DecodeFixture.entry(DecodeFixture.contractPayload)
        let decoded = try await PipelineTest.collect([entry]) { Decode() }
        #expect(decoded == [PositionEntry(entryID: DecodeFixture.entryID, position: DecodeFixture.position)])
    }

    @Test func malformedEntry_underTheDefaultPolicy_stopsThePipelineWithItsDecodeError() async throws {
        let entry = StreamEntry(id: Telemetry.id(7), fields: Telemetry.malformedFields)
        let expected = try #require(DecodeFixture.reason(entry))
        let error = await #expect(throws: StageError.self) {
            _ = try await PipelineTest.collect([entry]) { Decode() }
        }
        #expect(error?.underlying as? DecodeError == DecodeError(entryID: entry.id, reason: expected))
    }

    @Test func malformedEntry_withADeadLetterPolicy_reachesTheBranch_andTheOthersGoOn() async throws {
        let entries = [
            StreamEntry(id: Telemetry.id(1), fields: Telemetry.fields(device: "dev-1", second: 1)),
            StreamEntry(id: Telemetry.id(2), fields: Telemetry.malformedFields, deliveries: 3),
            StreamEntry(id: Telemetry.id(3), fields: Telemetry.fields(device: "dev-1", second: 2)),
        ]
        let branch = Watched<[Failed<StreamEntry>]>([])
        let decoded = try await PipelineTest.collect(entries) {
            Decode().onError(
                .deadLetter { Sink { (failed: Failed<StreamEntry>) in branch.update { $0.append(failed) } } }
            )
        }
        #expect(decoded.map(\.entryID) == [Telemetry.id(1), Telemetry.id(3)])
        #expect(decoded.map(\.position.timestamp) == [Telemetry.time(1), Telemetry.time(2)])
        let failed = branch.read { $0 }
        #expect(failed.map(\.item) == [entries[1]], "the entry itself, with its delivery count")
        #expect(failed.map(\.attempts) == [1])
        #expect((failed.first?.error as? DecodeError)?.reason == DecodeFixture.reason(entries[1]))
    }
}
