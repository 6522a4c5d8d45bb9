import Testing

@testable import Stages

@Suite("StreamEntry: fields packed in one array, read back as they were given", .timeLimit(.minutes(1)))
struct StreamEntryTests {
    private static let fields: [StreamEntry.Field] = [
        .init(name: "payload", value: [UInt8(ascii: "{"), 0xFF, 0x00, UInt8(ascii: "}")]),
        .init(name: "", value: []),
        .init(name: "device_id", value: Array("350000000000001".utf8)),
        .init(name: "payload", value: Array("second".utf8)),
        .init(name: "ünïcode", value: Array(repeating: 7, count: 70_000)),
    ]

    @Test func fieldsComeBackInOrderWithTheirBytes() {
        let entry = StreamEntry(id: "1-0", fields: Self.fields, deliveries: 2)
        #expect(entry.fields == Self.fields)
        #expect(entry.id == "1-0" && entry.deliveries == 2)
        #expect(StreamEntry(id: "1-0", fields: []).fields.isEmpty)
    }

    @Test func theFirstFieldOfANameCounts() {
        let entry = StreamEntry(id: "1-0", fields: Self.fields)
        #expect(entry.value(of: "payload") == [UInt8(ascii: "{"), 0xFF, 0x00, UInt8(ascii: "}")])
        #expect(entry.value(of: "") == [])
        #expect(entry.value(of: "ünïcode")?.count == 70_000)
        #expect(entry.value(of: "missing") == nil)
        #expect(entry.value(of: "device") == nil)
    }

    @Test func bothValuesAreFoundInOnePass_inEitherOrder() {
        let entry = StreamEntry(id: "1-0", fields: Self.fields)
        let found = entry.withValues(of: "device_id", "payload") { deviceID, payload in
            (deviceID.map { Array($0) }, payload.map { Array($0) })
        }
        #expect(found.0 == Array("350000000000001".utf8))
        #expect(found.1 == [UInt8(ascii: "{"), 0xFF, 0x00, UInt8(ascii: "}")])
        let missing = entry.withValues(of: "source", "device_id") { source, deviceID in
            (source == nil, deviceID?.count)
        }
        #expect(missing.0 && missing.1 == 15)
    }

    @Test func equalFieldsAreEqualEntries() {
        let entry = StreamEntry(id: "1-0", fields: Self.fields)
        #expect(entry == StreamEntry(id: "1-0", fields: Self.fields))
        #expect(entry.hashValue == StreamEntry(id: "1-0", fields: Self.fields).hashValue)
        #expect(entry != StreamEntry(id: "1-0", fields: Self.fields, deliveries: 2))
        #expect(entry != StreamEntry(id: "1-0", fields: Array(Self.fields.dropLast())))
        // Moving bytes between a name and its value is another entry.
        let left = StreamEntry(id: "1-0", fields: [.init(name: "ab", value: Array("c".utf8))])
        let right = StreamEntry(id: "1-0", fields: [.init(name: "a", value: Array("bc".utf8))])
        #expect(left != right)
    }
}
