import Testing

@testable import Stages

@Suite("PositionAttributes: canonical jsonb text with value kinds", .timeLimit(.minutes(1)))
struct PositionAttributesTests {
    private static let values: [UInt16: AttributeValue] = [
        65535: .bytes("AQIDBA=="), 7: .number("-1.5e3"), 16: .bigint("18446744073709551615"), 0: .number("0"),
        385: .bytes("a\"b\\c\n\u{1}"),
    ]

    @Test func emptyIsBraces() {
        let attributes = PositionAttributes()
        #expect(attributes.isEmpty && attributes.count == 0)
        #expect(attributes.json == "{}")
        #expect(attributes[0] == nil)
        #expect(attributes == [:])
    }

    @Test func keysInNumericOrderStringsEscaped() {
        let attributes = PositionAttributes(Self.values)
        #expect(
            attributes.json
                == #"{"0":0,"7":-1.5e3,"16":"18446744073709551615","385":"a\"b\\c\u000A\u0001","65535":"AQIDBA=="}"#
        )
    }

    @Test func valuesComeBackWithTheirKinds() {
        let attributes = PositionAttributes(Self.values)
        #expect(attributes.count == Self.values.count)
        #expect(attributes.dictionary == Self.values)
        for (id, value) in Self.values { #expect(attributes[id] == value) }
        #expect(attributes[8] == nil)
        #expect(attributes[65534] == nil)
    }

    @Test func builderInAnyOrderEqualsTheCanonicalForm() {
        let appended: [(UInt16, AttributeValue.Kind, StaticString)] = [
            (16, .bigint, "18446744073709551615"), (7, .number, "-1.5e3"), (0, .number, "0"),
            (65535, .bytes, "AQIDBA=="), (385, .bytes, ""),
        ]
        var builder = PositionAttributes.Builder()
        for (id, kind, text) in appended { builder.append(id, kind, value: Self.digits(text)) }
        let attributes = builder.finished()
        let expected = PositionAttributes([
            16: .bigint("18446744073709551615"), 7: .number("-1.5e3"), 0: .number("0"), 65535: .bytes("AQIDBA=="),
            385: .bytes(""),
        ])
        #expect(attributes.json == #"{"0":0,"7":-1.5e3,"16":"18446744073709551615","385":"","65535":"AQIDBA=="}"#)
        #expect(attributes == expected)
        #expect(attributes.hashValue == expected.hashValue)
    }

    @Test func bigintAndBytesWithTheSameTextDiffer() {
        let bigint: PositionAttributes = [1: .bigint("1234")]
        let bytes: PositionAttributes = [1: .bytes("1234")]
        #expect(bigint.json == bytes.json)
        #expect(bigint != bytes)
        #expect(bytes[1] == .bytes("1234"))
    }

    @Test func builderRefusesARepeatedID() {
        var builder = PositionAttributes.Builder()
        for id in 0..<40 {
            let appended = builder.append(UInt16(39 - id), .number, value: Self.digits("1"))
            #expect(appended)
        }
        let three = builder.append(3, .number, value: Self.digits("2"))
        let last = builder.append(39, .number, value: Self.digits("2"))
        #expect(!three && !last)
        let attributes = builder.finished()
        #expect(attributes.count == 40)
        #expect(attributes.json == "{" + (0..<40).map { "\"\($0)\":1" }.joined(separator: ",") + "}")
        #expect(attributes[3] == .number("1"))
    }

    private static func digits(_ text: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}
