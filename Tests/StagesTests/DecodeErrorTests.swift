import Stages
import Testing

private typealias Fixture = DecodeFixture
private typealias Payload = DecodeFixture.Payload

@Suite("DecodeError: codes and messages; Position.attributesJSON", .timeLimit(.minutes(1)))
struct DecodeErrorTests {
    @Test func outOfRangeMessage() {
        let error = DecodeError(
            entryID: "1714667812123-0",
            reason: .outOfRange(field: "payload.latitude", value: "91.5", range: -90...90)
        )
        #expect(error.description == "entry 1714667812123-0: payload.latitude is 91.5, outside [-90, 90]")
    }

    @Test func decodedErrorMessageNamesEntryFieldAndValue() throws {
        let result = Fixture.decode(Fixture.entry(Payload.with("latitude", "91.5").text))
        #expect(throws: DecodeError.self) { try result.get() }
        guard case .failure(let error) = result else { return }
        #expect(error.description == "entry 1714667812123-0: payload.latitude is 91.5, outside [-90, 90]")
        #expect(error.reason.code == "out_of_range")
    }

    static let oneOfEach: [DecodeError.Reason] = [
        .missingEntryField(name: "payload"),
        .notUTF8(offset: 7),
        .notJSON(offset: 3, expected: "',' or '}'", found: "'x'"),
        .notObject(found: .array),
        .missingField(field: "payload.latitude"),
        .wrongType(field: "payload.latitude", expected: "a number", found: .string),
        .outOfRange(field: "payload.speed", value: "2000.5", range: 0...2000),
        .notFinite(field: "payload.altitude", value: "1e400"),
        .notInteger(field: "payload.satellites", value: "11.5"),
        .invalidTimestamp(
            field: "payload.timestamp",
            text: "2026-02-30T00:00:00Z",
            problem: .impossibleDate(year: 2026, month: 2, day: 30)
        ),
        .invalidDeviceID(field: "device_id", value: "a\nb", problem: .notPrintableASCII(offset: 1, byte: 0x0A)),
        .deviceIDMismatch(entry: "1", payload: "2"),
        .invalidAttributeKey(key: "abc"),
        .invalidAttributeValue(field: "payload.attributes.1", problem: .wrongKind(.string)),
        .unknownTag(field: "payload.attributes.1", tag: "$float"),
        .invalidTagObject(field: "payload.attributes.1", count: 2),
        .invalidBigint(field: "payload.attributes.16.$bigint", text: "01", problem: .leadingZero),
        .invalidBytes(field: "payload.attributes.385.$bytes", text: "AQI", problem: .length(3)),
        .duplicateKey(field: "payload", key: "latitude"),
    ]

    @Test func everyReasonHasItsOwnSnakeCaseCode() {
        let codes = Self.oneOfEach.map(\.code)
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(
                !code.isEmpty && code.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || $0.isNumber },
                "\(code)"
            )
        }
    }

    @Test(arguments: Self.oneOfEach)
    func messageIsOneLineNamingTheEntry(_ reason: DecodeError.Reason) {
        let message = DecodeError(entryID: "1-0", reason: reason).description
        #expect(message.hasPrefix("entry 1-0: "))
        #expect(!message.contains("\n"))
        #expect(message.count > 20)
    }

    @Test(arguments: [
        (
            DecodeError.Reason.notJSON(offset: 42, expected: "',' or '}'", found: "'x'"),
            "payload is not JSON: at byte offset 42 expected ',' or '}', found 'x'"
        ),
        (
            .wrongType(field: "payload.altitude", expected: "a number or null", found: .string),
            "payload.altitude is a string, expected a number or null"
        ),
        (
            .invalidTimestamp(
                field: "payload.timestamp",
                text: "2026-02-30T00:00:00Z",
                problem: .impossibleDate(year: 2026, month: 2, day: 30)
            ),
            "payload.timestamp is \"2026-02-30T00:00:00Z\", not a valid timestamp: 2026-02-30 is not a calendar date; "
                + "expected ISO-8601 like 2026-05-02T16:36:52.123Z or 2026-05-02T18:36:52+02:00"
        ),
        (
            .invalidDeviceID(field: "device_id", value: "a\nb", problem: .notPrintableASCII(offset: 1, byte: 0x0A)),
            "device_id \"a\\nb\" is invalid: byte 1 is 0x0A; expected 1-64 bytes of printable ASCII"
        ),
        (
            .invalidBytes(field: "payload.attributes.385.$bytes", text: "AQI", problem: .length(3)),
            "payload.attributes.385.$bytes is \"AQI\": its length 3 is not a multiple of 4; "
                + "expected standard padded base64"
        ),
        (
            .duplicateKey(field: "payload", key: "latitude"),
            "payload has the key \"latitude\" twice; each key may appear once"
        ),
    ])
    func messages(_ reason: DecodeError.Reason, _ message: String) {
        #expect(reason.description == message)
    }

    @Test func longValuesAreCutInMessages() {
        let text = String(repeating: "A", count: 10_000)
        let reason = DecodeError.Reason.invalidBytes(
            field: "payload.attributes.1.$bytes",
            text: text,
            problem: .padding
        )
        #expect(reason.description.count < 300)
    }

    // MARK: attributesJSON

    @Test func attributesJSONOfTheContractExample() {
        #expect(
            Fixture.position.attributesJSON == #"{"16":"18446744073709551615","66":12870,"239":1,"385":"AQIDBA=="}"#
        )
    }

    @Test func attributesJSONIsEmptyObjectWithoutAttributes() {
        let position = Position(deviceID: "1", timestamp: 0, latitude: 0, longitude: 0)
        #expect(position.attributesJSON == "{}")
    }

    @Test func attributesJSONOrdersKeysNumerically() {
        var position = Position(deviceID: "1", timestamp: 0, latitude: 0, longitude: 0)
        position.attributes = [
            100: .number("1e3"), 2: .number("-0.5"), 10: .bigint("-9223372036854775808"), 65535: .bytes(""),
            0: .number("0"),
        ]
        #expect(
            position.attributesJSON
                == #"{"0":0,"2":-0.5,"10":"-9223372036854775808","100":1e3,"65535":""}"#
        )
    }

    @Test func attributesJSONKeepsDecodedNumberText() throws {
        let payload = Payload.attributes(#"{"7":1.50,"3":-2E-3,"1":{"$bytes":"+/8="}}"#)
        let position = try Fixture.decode(Fixture.entry(payload)).get()
        #expect(position.attributesJSON == #"{"1":"+/8=","3":-2E-3,"7":1.50}"#)
    }

    @Test func attributesJSONEscapesStrings() {
        var position = Position(deviceID: "1", timestamp: 0, latitude: 0, longitude: 0)
        position.attributes = [1: .bytes("a\"b\\c\n")]
        #expect(position.attributesJSON == #"{"1":"a\"b\\c\u000A"}"#)
    }
}
