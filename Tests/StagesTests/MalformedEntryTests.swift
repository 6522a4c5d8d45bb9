import Stages
import Testing

private typealias Fixture = DecodeFixture
private typealias Payload = DecodeFixture.Payload

/// One malformed entry and the reason it must be refused with.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var entry: StreamEntry
    var expected: DecodeError.Reason

    init(_ name: String, _ entry: StreamEntry, _ expected: DecodeError.Reason) {
        self.name = name
        self.entry = entry
        self.expected = expected
    }

    init(_ name: String, payload: String, _ expected: DecodeError.Reason) {
        self.init(name, Fixture.entry(payload), expected)
    }

    var testDescription: String { self.name }
}

@Suite("PositionDecoder: malformed entries", .timeLimit(.minutes(1)))
struct MalformedEntryTests {
    static let entryCases: [MalformedCase] = [
        MalformedCase(
            "no device_id field",
            Fixture.entry(deviceID: nil, payload: Array(Payload().text.utf8)),
            .missingEntryField(name: "device_id")
        ),
        MalformedCase(
            "no payload field",
            Fixture.entry(deviceID: Array(Fixture.deviceID.utf8), payload: nil),
            .missingEntryField(name: "payload")
        ),
        MalformedCase(
            "empty device_id field",
            Fixture.entry(Payload().text, deviceID: ""),
            .invalidDeviceID(field: "device_id", value: "", problem: .empty)
        ),
        MalformedCase(
            "device_id field with a newline",
            Fixture.entry(Payload().text, deviceID: "3563\n"),
            .invalidDeviceID(field: "device_id", value: "3563\n", problem: .notPrintableASCII(offset: 4, byte: 0x0A))
        ),
        MalformedCase(
            "device_id field with non-ASCII",
            Fixture.entry(Payload().text, deviceID: "35é"),
            .invalidDeviceID(field: "device_id", value: "35é", problem: .notPrintableASCII(offset: 2, byte: 0xC3))
        ),
        MalformedCase(
            "device_id field with DEL",
            Fixture.entry(Payload().text, deviceID: "35\u{7F}"),
            .invalidDeviceID(field: "device_id", value: "35\u{7F}", problem: .notPrintableASCII(offset: 2, byte: 0x7F))
        ),
        MalformedCase(
            "payload.device_id empty",
            payload: Payload.with("device_id", #""""#).text,
            .invalidDeviceID(field: "payload.device_id", value: "", problem: .empty)
        ),
        MalformedCase(
            "payload.device_id with a tab escape",
            payload: Payload.with("device_id", #""35\t""#).text,
            .invalidDeviceID(
                field: "payload.device_id",
                value: "35\t",
                problem: .notPrintableASCII(offset: 2, byte: 0x09)
            )
        ),
        MalformedCase(
            "payload.device_id differs from the field",
            payload: Payload.with("device_id", #""356307042441014""#).text,
            .deviceIDMismatch(entry: "356307042441013", payload: "356307042441014")
        ),
        MalformedCase(
            "payload.device_id differs only in case",
            Fixture.entry(Payload.with("device_id", #""ABC""#).text, deviceID: "abc"),
            .deviceIDMismatch(entry: "abc", payload: "ABC")
        ),
    ]

    static let jsonCases: [MalformedCase] = [
        MalformedCase("invalid UTF-8 byte", Self.bytesEntry(#"{"a":"x"#, [0xFF], #""}"#), .notUTF8(offset: 7)),
        MalformedCase("overlong UTF-8", Self.bytesEntry(#"{"a":""#, [0xC0, 0xAF], #""}"#), .notUTF8(offset: 6)),
        MalformedCase("UTF-8 surrogate", Self.bytesEntry(#"{"a":""#, [0xED, 0xA0, 0x80], #""}"#), .notUTF8(offset: 6)),
        MalformedCase("truncated UTF-8", Self.bytesEntry(#"{"a":"é"#, [0xE2, 0x82], ""), .notUTF8(offset: 8)),
        MalformedCase(
            "empty payload",
            payload: "",
            .notJSON(offset: 0, expected: "a JSON value", found: "the end of the payload")
        ),
        MalformedCase(
            "only whitespace",
            payload: " \t\r\n",
            .notJSON(offset: 4, expected: "a JSON value", found: "the end of the payload")
        ),
        MalformedCase("not JSON at all", payload: "hello", .notJSON(offset: 0, expected: "a JSON value", found: "'h'")),
        MalformedCase(
            "trailing garbage",
            payload: Payload().text + " x",
            .notJSON(offset: Payload().text.utf8.count + 1, expected: "the end of the payload", found: "'x'")
        ),
        MalformedCase(
            "two objects",
            payload: Payload().text + "{}",
            .notJSON(offset: Payload().text.utf8.count, expected: "the end of the payload", found: "'{'")
        ),
        MalformedCase(
            "truncated payload",
            payload: #"{"device_id":"#,
            .notJSON(offset: 13, expected: "a JSON value", found: "the end of the payload")
        ),
        MalformedCase(
            "trailing comma",
            payload: #"{"extra":1,}"#,
            .notJSON(offset: 11, expected: "'\"' to start a key", found: "'}'")
        ),
        MalformedCase(
            "byte order mark",
            Self.bytesEntry("", [0xEF, 0xBB, 0xBF], Payload().text),
            .notJSON(offset: 0, expected: "a JSON value", found: "byte 0xEF")
        ),
        MalformedCase(
            "single quotes",
            payload: "{'a':1}",
            .notJSON(offset: 1, expected: "'\"' to start a key", found: "'''")
        ),
        MalformedCase(
            "leading zero",
            payload: Payload.with("latitude", "054").text,
            .notJSON(
                offset: Self.offset(of: "054", in: Payload.with("latitude", "054").text) + 1,
                expected: "'.', 'e' or the end of the number (no leading zeros)",
                found: "'5'"
            )
        ),
        MalformedCase(
            "bad literal",
            payload: #"{"extra":tru}"#,
            .notJSON(offset: 12, expected: "'true' (the literal that starts at byte 9)", found: "'}'")
        ),
        MalformedCase(
            "raw control character in a string",
            payload: "{\"extra\":\"a\u{1}\"}",
            .notJSON(offset: 11, expected: "a string character (control characters are escaped)", found: "byte 0x01")
        ),
        MalformedCase(
            "unknown escape",
            payload: #"{"extra":"\x"}"#,
            .notJSON(offset: 11, expected: "one of \" \\ / b f n r t u after '\\'", found: "'x'")
        ),
        MalformedCase(
            "lone high surrogate",
            payload: #"{"extra":"\ud83d"}"#,
            .notJSON(offset: 16, expected: "'\\u' and a low surrogate after the high surrogate escape", found: "'\"'")
        ),
        MalformedCase(
            "lone low surrogate",
            payload: #"{"extra":"\ude00"}"#,
            .notJSON(offset: 12, expected: "a \\u escape that is not a lone low surrogate", found: "'d'")
        ),
        MalformedCase(
            "high surrogate then a non-surrogate",
            payload: #"{"extra":"\ud83d\u0041"}"#,
            .notJSON(offset: 18, expected: "a low surrogate DC00-DFFF after a high surrogate", found: "'0'")
        ),
        MalformedCase(
            "short \\u escape",
            payload: #"{"extra":"\u12"}"#,
            .notJSON(offset: 14, expected: "4 hexadecimal digits", found: "'\"'")
        ),
        MalformedCase(
            "unterminated string",
            payload: #"{"extra":"abc"#,
            .notJSON(
                offset: 13,
                expected: "'\"' to close the string that starts at byte 9",
                found: "the end of the payload"
            )
        ),
        MalformedCase(
            "minus without digits",
            payload: #"{"extra":-}"#,
            .notJSON(offset: 10, expected: "a digit", found: "'}'")
        ),
        MalformedCase(
            "fraction without digits",
            payload: #"{"extra":1.}"#,
            .notJSON(offset: 11, expected: "a digit after '.'", found: "'}'")
        ),
        MalformedCase(
            "exponent without digits",
            payload: #"{"extra":1e+}"#,
            .notJSON(offset: 12, expected: "a digit in the exponent", found: "'}'")
        ),
        MalformedCase(
            "number starting with a dot",
            payload: #"{"extra":.5}"#,
            .notJSON(offset: 9, expected: "a JSON value", found: "'.'")
        ),
        MalformedCase(
            "missing colon",
            payload: #"{"extra" 1}"#,
            .notJSON(offset: 9, expected: "':' after the key", found: "'1'")
        ),
        MalformedCase(
            "unclosed array in an ignored key",
            payload: #"{"extra":[1,2}"#,
            .notJSON(offset: 13, expected: "',' or ']'", found: "'}'")
        ),
        MalformedCase(
            "too deep nesting in an ignored key",
            payload: #"{"extra":"# + String(repeating: "[", count: 10_000),
            .notJSON(offset: 9 + 127, expected: "objects and arrays nested at most 128 deep", found: "'['")
        ),
        MalformedCase("payload is an array", payload: "[1,2]", .notObject(found: .array)),
        MalformedCase("payload is a string", payload: #""{}""#, .notObject(found: .string)),
        MalformedCase("payload is a number", payload: " 42 ", .notObject(found: .number)),
        MalformedCase("payload is null", payload: "null", .notObject(found: .null)),
        MalformedCase("payload is true", payload: "true", .notObject(found: .boolean)),
        MalformedCase(
            "payload is an invalid array",
            payload: "[1,",
            .notJSON(offset: 3, expected: "a JSON value", found: "the end of the payload")
        ),
    ]

    static let fieldCases: [MalformedCase] = [
        MalformedCase(
            "no device_id",
            payload: Payload.without("device_id").text,
            .missingField(field: "payload.device_id")
        ),
        MalformedCase(
            "no timestamp",
            payload: Payload.without("timestamp").text,
            .missingField(field: "payload.timestamp")
        ),
        MalformedCase(
            "no latitude",
            payload: Payload.without("latitude").text,
            .missingField(field: "payload.latitude")
        ),
        MalformedCase(
            "no longitude",
            payload: Payload.without("longitude").text,
            .missingField(field: "payload.longitude")
        ),
        MalformedCase("empty object", payload: "{}", .missingField(field: "payload.device_id")),
        MalformedCase(
            "latitude as a string",
            payload: Payload.with("latitude", #""54.6""#).text,
            .wrongType(field: "payload.latitude", expected: "a number", found: .string)
        ),
        MalformedCase(
            "latitude null",
            payload: Payload.with("latitude", "null").text,
            .wrongType(field: "payload.latitude", expected: "a number", found: .null)
        ),
        MalformedCase(
            "longitude as a boolean",
            payload: Payload.with("longitude", "false").text,
            .wrongType(field: "payload.longitude", expected: "a number", found: .boolean)
        ),
        MalformedCase(
            "altitude as an object",
            payload: Payload.with("altitude", #"{"m":1}"#).text,
            .wrongType(field: "payload.altitude", expected: "a number or null", found: .object)
        ),
        MalformedCase(
            "satellites as an array",
            payload: Payload.with("satellites", "[11]").text,
            .wrongType(field: "payload.satellites", expected: "a number or null", found: .array)
        ),
        MalformedCase(
            "timestamp as a number",
            payload: Payload.with("timestamp", "1777739812123").text,
            .wrongType(field: "payload.timestamp", expected: "a string", found: .number)
        ),
        MalformedCase(
            "device_id as a number",
            payload: Payload.with("device_id", "356307042441013").text,
            .wrongType(field: "payload.device_id", expected: "a string", found: .number)
        ),
        MalformedCase(
            "attributes as an array",
            payload: Payload.with("attributes", "[]").text,
            .wrongType(field: "payload.attributes", expected: "an object or null", found: .array)
        ),
        MalformedCase(
            "latitude above 90",
            payload: Payload.with("latitude", "91.5").text,
            .outOfRange(field: "payload.latitude", value: "91.5", range: -90...90)
        ),
        MalformedCase(
            "longitude below -180",
            payload: Payload.with("longitude", "-180.5").text,
            .outOfRange(field: "payload.longitude", value: "-180.5", range: -180...180)
        ),
        MalformedCase(
            "negative speed",
            payload: Payload.with("speed", "-1").text,
            .outOfRange(field: "payload.speed", value: "-1", range: 0...2000)
        ),
        MalformedCase(
            "satellites 300",
            payload: Payload.with("satellites", "300").text,
            .outOfRange(field: "payload.satellites", value: "300", range: 0...255)
        ),
        MalformedCase(
            "huge latitude",
            payload: Payload.with("latitude", "1e400").text,
            .notFinite(field: "payload.latitude", value: "1e400")
        ),
        MalformedCase(
            "huge negative altitude",
            payload: Payload.with("altitude", "-1.5E+999").text,
            .notFinite(field: "payload.altitude", value: "-1.5E+999")
        ),
        MalformedCase(
            "satellites 11.5",
            payload: Payload.with("satellites", "11.5").text,
            .notInteger(field: "payload.satellites", value: "11.5")
        ),
        MalformedCase(
            "priority 0.5",
            payload: Payload.with("priority", "5e-1").text,
            .notInteger(field: "payload.priority", value: "5e-1")
        ),
        MalformedCase(
            "timestamp with a space",
            payload: Payload.with("timestamp", #""2026-05-02 16:36:52Z""#).text,
            .invalidTimestamp(
                field: "payload.timestamp",
                text: "2026-05-02 16:36:52Z",
                problem: .syntax(offset: 10, expected: "'T' after the date")
            )
        ),
        MalformedCase(
            "timestamp on February 30",
            payload: Payload.with("timestamp", #""2026-02-30T00:00:00Z""#).text,
            .invalidTimestamp(
                field: "payload.timestamp",
                text: "2026-02-30T00:00:00Z",
                problem: .impossibleDate(year: 2026, month: 2, day: 30)
            )
        ),
        MalformedCase(
            "timestamp with offset +24:00",
            payload: Payload.with("timestamp", #""2026-05-02T16:36:52+24:00""#).text,
            .invalidTimestamp(
                field: "payload.timestamp",
                text: "2026-05-02T16:36:52+24:00",
                problem: .impossibleOffset(hours: 24, minutes: 0)
            )
        ),
        MalformedCase(
            "timestamp without an offset",
            payload: Payload.with("timestamp", #""2026-05-02T16:36:52""#).text,
            .invalidTimestamp(
                field: "payload.timestamp",
                text: "2026-05-02T16:36:52",
                problem: .syntax(offset: 19, expected: "'Z', '+' or '-' (a UTC offset)")
            )
        ),
        MalformedCase(
            "duplicate known key",
            payload: Payload().appending(raw: #""latitude":54"#),
            .duplicateKey(field: "payload", key: "latitude")
        ),
        MalformedCase(
            // The second `latitude` is the key expected after `timestamp`: matched by the decoder's fast path.
            "duplicate known key where the usual order expects it",
            payload: #"{"latitude":54,"device_id":"356307042441013","timestamp":"2026-05-02T16:36:52Z","latitude":55}"#,
            .duplicateKey(field: "payload", key: "latitude")
        ),
        MalformedCase(
            "duplicate unknown key",
            payload: Payload.with("extra", "1").appending(raw: #""extra":2"#),
            .duplicateKey(field: "payload", key: "extra")
        ),
        MalformedCase(
            "duplicate key written with an escape",
            payload: Payload().appending(raw: #""\u006catitude":54"#),
            .duplicateKey(field: "payload", key: "latitude")
        ),
        MalformedCase(
            "duplicate key nested in an ignored key",
            payload: Payload.with("extra", #"[{"a":{"b":1,"b":2}}]"#).text,
            .duplicateKey(field: "payload.extra[0].a", key: "b")
        ),
    ]

    static let attributeCases: [MalformedCase] = [
        MalformedCase(
            "attribute key not a number",
            payload: Payload.attributes(#"{"io":1}"#),
            .invalidAttributeKey(key: "io")
        ),
        MalformedCase(
            "attribute key above 65535",
            payload: Payload.attributes(#"{"65536":1}"#),
            .invalidAttributeKey(key: "65536")
        ),
        MalformedCase(
            "attribute key with a leading zero",
            payload: Payload.attributes(#"{"066":1}"#),
            .invalidAttributeKey(key: "066")
        ),
        MalformedCase("empty attribute key", payload: Payload.attributes(#"{"":1}"#), .invalidAttributeKey(key: "")),
        MalformedCase(
            "negative attribute key",
            payload: Payload.attributes(#"{"-1":1}"#),
            .invalidAttributeKey(key: "-1")
        ),
        MalformedCase(
            "attribute key with a space",
            payload: Payload.attributes(#"{" 1":1}"#),
            .invalidAttributeKey(key: " 1")
        ),
        MalformedCase(
            "attribute value a string",
            payload: Payload.attributes(#"{"1":"12"}"#),
            .invalidAttributeValue(field: "payload.attributes.1", problem: .wrongKind(.string))
        ),
        MalformedCase(
            "attribute value an array",
            payload: Payload.attributes(#"{"1":[1]}"#),
            .invalidAttributeValue(field: "payload.attributes.1", problem: .wrongKind(.array))
        ),
        MalformedCase(
            "attribute value null",
            payload: Payload.attributes(#"{"1":null}"#),
            .invalidAttributeValue(field: "payload.attributes.1", problem: .wrongKind(.null))
        ),
        MalformedCase(
            "attribute value a boolean",
            payload: Payload.attributes(#"{"1":true}"#),
            .invalidAttributeValue(field: "payload.attributes.1", problem: .wrongKind(.boolean))
        ),
        MalformedCase(
            "attribute value not finite",
            payload: Payload.attributes(#"{"1":1e400}"#),
            .invalidAttributeValue(field: "payload.attributes.1", problem: .notFinite("1e400"))
        ),
        MalformedCase(
            "attribute value an untagged object",
            payload: Payload.attributes(#"{"1":{"value":1}}"#),
            .invalidAttributeValue(field: "payload.attributes.1", problem: .notATag(key: "value"))
        ),
        MalformedCase(
            "unknown tag",
            payload: Payload.attributes(#"{"1":{"$float":"1.5"}}"#),
            .unknownTag(field: "payload.attributes.1", tag: "$float")
        ),
        MalformedCase(
            "tag object without keys",
            payload: Payload.attributes(#"{"1":{}}"#),
            .invalidTagObject(field: "payload.attributes.1", count: 0)
        ),
        MalformedCase(
            "tag object with two keys",
            payload: Payload.attributes(#"{"1":{"$bigint":"1","$bytes":"AA=="}}"#),
            .invalidTagObject(field: "payload.attributes.1", count: 2)
        ),
        MalformedCase(
            "tag object with a repeated tag",
            payload: Payload.attributes(#"{"1":{"$bigint":"1","$bigint":"2"}}"#),
            .duplicateKey(field: "payload.attributes.1", key: "$bigint")
        ),
        MalformedCase(
            "$bigint as a number",
            payload: Payload.attributes(#"{"16":{"$bigint":1}}"#),
            .wrongType(field: "payload.attributes.16.$bigint", expected: "a string", found: .number)
        ),
        Self.bigint("+1", .notDecimal),
        Self.bigint("", .notDecimal),
        Self.bigint("-", .notDecimal),
        Self.bigint("1.5", .notDecimal),
        Self.bigint(" 1", .notDecimal),
        Self.bigint("1e3", .notDecimal),
        Self.bigint("0x10", .notDecimal),
        Self.bigint("01", .leadingZero),
        Self.bigint("-0", .leadingZero),
        Self.bigint("-01", .leadingZero),
        Self.bigint("18446744073709551616", .outOfRange),
        Self.bigint("-9223372036854775809", .outOfRange),
        Self.bigint("100000000000000000000", .outOfRange),
        Self.bytes("AQI", .length(3)),
        Self.bytes("AQIDBA", .length(6)),
        Self.bytes("AQ*D", .character(offset: 2)),
        Self.bytes("AQ-_", .character(offset: 2)),
        Self.bytes("AQ D", .character(offset: 2)),
        Self.bytes("A=AA", .padding),
        Self.bytes("A===", .padding),
        Self.bytes("====", .padding),
        Self.bytes("AR==", .nonCanonical),
        Self.bytes("AQK=", .nonCanonical),
        MalformedCase(
            "$bytes as null",
            payload: Payload.attributes(#"{"385":{"$bytes":null}}"#),
            .wrongType(field: "payload.attributes.385.$bytes", expected: "a string", found: .null)
        ),
        MalformedCase(
            "duplicate attribute id",
            payload: Payload.attributes(#"{"1":1,"2":2,"1":3}"#),
            .duplicateKey(field: "payload.attributes", key: "1")
        ),
        MalformedCase(
            "duplicate attribute id written with an escape",
            payload: Payload.attributes(#"{"12":1,"\u00312":3}"#),
            .duplicateKey(field: "payload.attributes", key: "12")
        ),
    ]

    @Test(arguments: Self.entryCases)
    func malformedEntry(_ malformed: MalformedCase) {
        #expect(Fixture.reason(malformed.entry) == malformed.expected)
    }

    @Test(arguments: Self.jsonCases)
    func malformedJSON(_ malformed: MalformedCase) {
        #expect(Fixture.reason(malformed.entry) == malformed.expected)
    }

    @Test(arguments: Self.fieldCases)
    func malformedField(_ malformed: MalformedCase) {
        #expect(Fixture.reason(malformed.entry) == malformed.expected)
    }

    @Test(arguments: Self.attributeCases)
    func malformedAttribute(_ malformed: MalformedCase) {
        #expect(Fixture.reason(malformed.entry) == malformed.expected)
    }

    @Test func errorNamesTheEntry() {
        let entry = Fixture.entry(deviceID: Array(Fixture.deviceID.utf8), payload: nil, id: "1-7")
        #expect(
            Fixture.decode(entry) == .failure(DecodeError(entryID: "1-7", reason: .missingEntryField(name: "payload")))
        )
    }

    // MARK: Helpers

    private static func bytesEntry(_ prefix: String, _ bytes: [UInt8], _ suffix: String) -> StreamEntry {
        Fixture.entry(deviceID: Array(Fixture.deviceID.utf8), payload: Array(prefix.utf8) + bytes + Array(suffix.utf8))
    }

    private static func offset(of needle: String, in text: String) -> Int {
        let bytes = Array(text.utf8)
        let needle = Array(needle.utf8)
        for start in 0...(bytes.count - needle.count) where Array(bytes[start..<(start + needle.count)]) == needle {
            return start
        }
        return -1
    }

    private static func bigint(_ text: String, _ problem: DecodeError.BigintProblem) -> MalformedCase {
        MalformedCase(
            "$bigint \"\(text)\"",
            payload: Payload.attributes(#"{"16":{"$bigint":"\#(text)"}}"#),
            .invalidBigint(field: "payload.attributes.16.$bigint", text: text, problem: problem)
        )
    }

    private static func bytes(_ text: String, _ problem: DecodeError.BytesProblem) -> MalformedCase {
        MalformedCase(
            "$bytes \"\(text)\"",
            payload: Payload.attributes(#"{"385":{"$bytes":"\#(text)"}}"#),
            .invalidBytes(field: "payload.attributes.385.$bytes", text: text, problem: problem)
        )
    }
}
