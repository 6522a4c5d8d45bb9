import Testing

@testable import Stages

private typealias Fixture = DecodeFixture
private typealias Payload = DecodeFixture.Payload

@Suite("JSONReader: RFC 8259 edge cases", .timeLimit(.minutes(1)))
struct JSONReaderTests {
    @Test(arguments: [
        #""plain""#,
        #""escapes \" \\ \/ \b \f \n \r \t""#,
        #""\u0000 \u001F \u00e9 \u20AC \uFFFF""#,
        #""\ud83d\ude00 \uD834\uDD1E""#,
        #""raw UTF-8: é € 😀""#,
        #"{"\ud83d\ude00":"\u00e9","":{"":[]}}"#,
        #"[[1,[2,{"a":[]}]],{},[],[[[[]]]]]"#,
        #"[true,false,null,-0,0.5,1E+2,1e-2,-1.25e10,123456789012345678901234567890]"#,
        "1e999999999999999999999",
        "-1e-999999999",
        " \t\r\n[ 1 , { \"a\" : [ ] } ] \n",
    ])
    func ignoredExtraKeyMayHoldAnyJSON(_ json: String) throws {
        let position = try Fixture.decode(Fixture.entry(Payload.with("extra", json).text)).get()
        #expect(position == Fixture.position)
    }

    @Test func ignoredKeyWithSurrogatePairs() throws {
        let payload = Payload().appending(raw: #""\ud83d\ude00 \u00e9":"\ud83d\ude00""#)
        #expect(try Fixture.decode(Fixture.entry(payload)).get() == Fixture.position)
    }

    @Test func whitespaceAroundEveryToken() throws {
        var payload = " \n"
        var inString = false
        var escaped = false
        for character in Payload().text {
            if inString {
                payload.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
                continue
            }
            if character == "\"" { inString = true }
            payload += "{}[],:".contains(character) ? "\r\n\t \(character) " : "\(character)"
        }
        payload += "\t "
        #expect(try Fixture.decode(Fixture.entry(payload)).get() == Fixture.position)
    }

    @Test func deepButAllowedNesting() throws {
        // The payload is depth 1, so an ignored value may open 127 more.
        let nested = String(repeating: "[", count: 127) + String(repeating: "]", count: 127)
        #expect(try Fixture.decode(Fixture.entry(Payload.with("extra", nested).text)).get() == Fixture.position)
    }

    @Test func veryDeepNestingIsAnErrorNotACrash() {
        let nested = String(repeating: "[", count: 1_000_000)
        #expect(Fixture.reason(Fixture.entry(Payload.with("extra", nested).text))?.code == "not_json")
    }

    @Test func stringsDecodeEscapes() {
        let cases: [(String, String)] = [
            (#""a\"b""#, "a\"b"),
            (#""\\\/""#, "\\/"),
            (#""\b\f\n\r\t""#, "\u{8}\u{C}\n\r\t"),
            (#""\u0041\u00e9\u20ac""#, "Aé€"),
            (#""\ud83d\ude00x""#, "😀x"),
            (#""\uD834\uDD1E""#, "𝄞"),
            (#""é😀""#, "é😀"),
            (#""""#, ""),
        ]
        for (json, expected) in cases {
            #expect(Self.readString(json) == expected, "\(json)")
        }
    }

    @Test func numbersKeepTheirTextAndParseExactly() {
        let cases: [(String, Double)] = [
            ("0", 0),
            ("-0", -0.0),
            ("54.687157", 54.687157),
            ("25.279652", 25.279652),
            ("-12.5e-3", -0.0125),
            ("1E22", 1e22),
            ("1e23", 1e23),
            ("9007199254740993", 9_007_199_254_740_992),  // halfway: ties to even
            ("0.1", 0.1),
            ("0.30000000000000004", 0.30000000000000004),
            ("123456789012345678901234567890", 1.2345678901234568e29),
            ("2.2250738585072014e-308", 2.2250738585072014e-308),
            ("4.9e-324", .leastNonzeroMagnitude),
            ("1.7976931348623157e308", 1.7976931348623157e308),
            ("0.000001", 0.000001),
            ("100000.1", 100_000.1),
        ]
        for (json, expected) in cases {
            let (text, value) = Self.readNumber(json)
            #expect(text == json)
            #expect(value == expected && value.sign == expected.sign, "\(json)")
        }
    }

    @Test(arguments: ["1e400", "-1e400", "1.8e308", "1e99999999999999999999"])
    func hugeNumbersAreInfinite(_ json: String) {
        #expect(Self.readNumber(json).value.isInfinite)
    }

    @Test func hugeExponentInAFieldIsNotFinite() {
        let payload = Payload.with("speed", "1e99999999999999999999").text
        #expect(
            Fixture.reason(Fixture.entry(payload))
                == .notFinite(field: "payload.speed", value: "1e99999999999999999999")
        )
    }

    @Test func tinyNumbersUnderflowToZero() throws {
        let position = try Fixture.decode(Fixture.entry(Payload.with("speed", "1e-400").text)).get()
        #expect(position.speed == 0)
    }

    @Test(
        arguments: [
            ([0x80], 0 as Int?),
            ([0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0xFF], 9),
            ([0xC2], 0),
            ([0xC1, 0x81], 0),
            ([0xE0, 0x9F, 0x80], 0),
            ([0xED, 0xBF, 0xBF], 0),
            ([0xF4, 0x90, 0x80, 0x80], 0),
            ([0xF5, 0x80, 0x80, 0x80], 0),
            ([0x61, 0xE2, 0x82, 0x41], 1),
            ([0xF0, 0x9F, 0x98, 0x80], nil),
            ([0xEF, 0xBF, 0xBF], nil),
            ([0xF4, 0x8F, 0xBF, 0xBF], nil),
        ] as [([UInt8], Int?)]
    )
    func utf8ValidationRejectsMalformedSequences(_ bytes: [UInt8], _ offset: Int?) {
        #expect(bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) } == offset)
    }

    // MARK: Helpers

    private static func readString(_ json: String) -> String? {
        Array(json.utf8).withUnsafeBufferPointer { bytes in
            var reader = JSONReader(bytes)
            guard let token = try? reader.readString(), reader.offset == bytes.count else { return nil }
            return reader.text(of: token)
        }
    }

    private static func readNumber(_ json: String) -> (text: String, value: Double) {
        Array(json.utf8).withUnsafeBufferPointer { bytes in
            var reader = JSONReader(bytes)
            guard let token = try? reader.readNumber(), reader.offset == bytes.count else { return ("", .nan) }
            return (reader.text(of: token), token.value)
        }
    }
}
