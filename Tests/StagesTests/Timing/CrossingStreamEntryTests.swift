import Foundation
import Stages
import Testing

@Suite("CrossingChange: timing:crossings entries (CONTRACT §6.5)", .timeLimit(.minutes(1)))
struct CrossingStreamEntryTests {
    static let event = "7d0a2f4e-1b2c-4d3e-8f90-a1b2c3d4e5f6"
    static let entry = "11111111-2222-4333-8444-555555555555"
    static let checkpoint = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    static let id = StreamID(milliseconds: 1_714_667_812_123, sequence: 0)
    /// 2026-05-02T16:36:52.123Z.
    static let timestamp: Int64 = 1_777_739_812_123_000

    static let record = CrossingRecord(
        event: event,
        entry: entry,
        checkpoint: checkpoint,
        seq: 2,
        device: "356307042441013",
        timestamp: timestamp
    )
    static let crossingJSON =
        #"{"entry_id":"11111111-2222-4333-8444-555555555555","checkpoint_id":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","#
        + #""seq":2,"device_id":"356307042441013","ts":"2026-05-02T16:36:52.123Z"}"#

    static func streamEntry(_ fields: [(String, String?)]) -> StreamEntry {
        StreamEntry(
            id: id,
            fields: fields.compactMap { name, value in value.map { .init(name: name, value: Array($0.utf8)) } }
        )
    }

    static func streamEntry(
        event: String? = event,
        op: String? = "upsert",
        crossing: String? = crossingJSON
    ) -> StreamEntry {
        streamEntry([("event_id", event), ("op", op), ("crossing", crossing)])
    }

    @Test func crossingJSON_isExactlyTheContractsText() {
        #expect(Self.record.json == Self.crossingJSON)
    }

    @Test func streamFields_areEventIDOpAndCrossing() {
        let fields = CrossingChange(.upsert, Self.record).streamFields
        #expect(fields.map(\.name) == ["event_id", "op", "crossing"])
        #expect(fields.map { String(decoding: $0.value, as: UTF8.self) } == [Self.event, "upsert", Self.crossingJSON])
    }

    @Test(arguments: [CrossingChange.Operation.upsert, .remove])
    func aChange_roundTripsThroughItsStreamFields(operation: CrossingChange.Operation) throws {
        let change = CrossingChange(operation, Self.record)
        let decoded = try CrossingChange.decode(StreamEntry(id: Self.id, fields: change.streamFields)).get()
        #expect(decoded == change)
    }

    @Test func stringsWithQuotesAndBackslashes_areEscapedAndReadBack() throws {
        var record = Self.record
        record.device = #"a"b\c"#
        let change = CrossingChange(.remove, record)
        let text = String(decoding: change.streamFields[2].value, as: UTF8.self)
        #expect(text.contains(#""device_id":"a\"b\\c""#))
        #expect(try CrossingChange.decode(StreamEntry(id: Self.id, fields: change.streamFields)).get() == change)
    }

    @Test func upperCaseUUIDsAreReadAsLowerCase_otherKeysAreIgnored() throws {
        let entry = Self.streamEntry(
            event: Self.event.uppercased(),
            crossing: #"{"extra":[1,{"a":null}],"entry_id":"11111111-2222-4333-8444-555555555555","#
                + #""checkpoint_id":"AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE","seq":2.0,"#
                + #""device_id":"356307042441013","ts":"2026-05-02T18:36:52.123+02:00"}"#
        )
        #expect(try CrossingChange.decode(entry).get() == CrossingChange(.upsert, Self.record))
    }

    static let malformed: [(String, StreamEntry, CrossingStreamError.Reason)] = [
        ("no event_id", streamEntry(event: nil), .missingField(name: "event_id")),
        ("no op", streamEntry(op: nil), .missingField(name: "op")),
        ("no crossing", streamEntry(crossing: nil), .missingField(name: "crossing")),
        ("event_id not a UUID", streamEntry(event: "race-1"), .notUUID(field: "event_id", value: "race-1")),
        ("unknown op", streamEntry(op: "UPSERT"), .unknownOperation(value: "UPSERT")),
        (
            "crossing not JSON", streamEntry(crossing: "{entry_id}"),
            .notJSON(offset: 1, expected: "'\"' to start a key", found: "'e'")
        ),
        ("crossing not an object", streamEntry(crossing: "[]"), .notObject(found: .array)),
        (
            "crossing with trailing text", streamEntry(crossing: crossingJSON + "x"),
            .notJSON(offset: crossingJSON.utf8.count, expected: "the end of the payload", found: "'x'")
        ),
        (
            "no entry_id", streamEntry(crossing: crossingJSON.replacingOccurrences(of: "entry_id", with: "entry")),
            .missingKey(key: "entry_id")
        ),
        (
            "no seq", streamEntry(crossing: crossingJSON.replacingOccurrences(of: "seq", with: "sq")),
            .missingKey(key: "seq")
        ),
        (
            "seq a string", streamEntry(crossing: crossingJSON.replacingOccurrences(of: ":2,", with: ":\"2\",")),
            .wrongType(key: "seq", expected: "an integer", found: .string)
        ),
        (
            "seq with a fraction", streamEntry(crossing: crossingJSON.replacingOccurrences(of: ":2,", with: ":2.5,")),
            .notInteger(key: "seq", value: "2.5")
        ),
        (
            "seq beyond 32 bits",
            streamEntry(crossing: crossingJSON.replacingOccurrences(of: ":2,", with: ":4294967296,")),
            .notInteger(key: "seq", value: "4294967296")
        ),
        (
            "ts a number",
            streamEntry(crossing: crossingJSON.replacingOccurrences(of: "\"2026-05-02T16:36:52.123Z\"", with: "1")),
            .wrongType(key: "ts", expected: "a string", found: .number)
        ),
        (
            "ts not a timestamp",
            streamEntry(crossing: crossingJSON.replacingOccurrences(of: "2026-05-02T16", with: "2026-13-02T16")),
            .invalidTimestamp(
                text: "2026-13-02T16:36:52.123Z",
                problem: .impossibleDate(year: 2026, month: 13, day: 2)
            )
        ),
        (
            "entry_id not a UUID",
            streamEntry(crossing: crossingJSON.replacingOccurrences(of: "-555555555555", with: "")),
            .notUUID(field: "crossing.entry_id", value: "11111111-2222-4333-8444")
        ),
        (
            "empty device_id",
            streamEntry(crossing: crossingJSON.replacingOccurrences(of: "356307042441013", with: "")),
            .invalidDeviceID(value: "", problem: .empty)
        ),
        (
            "a key twice", streamEntry(crossing: crossingJSON.replacingOccurrences(of: "{", with: "{\"seq\":1,")),
            .duplicateKey(key: "seq")
        ),
    ]

    @Test(arguments: malformed.indices)
    func aMalformedEntry_isAnErrorNamingTheEntryAndTheProblem(index: Int) {
        let (name, entry, expected) = Self.malformed[index]
        let result = CrossingChange.decode(entry)
        #expect(result == .failure(CrossingStreamError(entryID: Self.id, reason: expected)), "\(name)")
        if case .failure(let error) = result {
            #expect(error.description.hasPrefix("timing:crossings entry 1714667812123-0: "))
        }
    }

    @Test func aCrossingThatIsNotUTF8_isAnError() {
        let entry = StreamEntry(
            id: Self.id,
            fields: [
                .init(name: "event_id", value: Array(Self.event.utf8)), .init(name: "op", value: Array("remove".utf8)),
                .init(name: "crossing", value: [0x7B, 0xFF, 0x7D]),
            ]
        )
        #expect(
            CrossingChange.decode(entry)
                == .failure(CrossingStreamError(entryID: Self.id, reason: .notUTF8(field: "crossing", offset: 1)))
        )
    }
}
