import Stages
import Testing

private typealias Fixture = DecodeFixture
private typealias Payload = DecodeFixture.Payload

@Suite("PositionDecoder: valid entries", .timeLimit(.minutes(1)))
struct PositionDecoderTests {
    @Test func contractExampleDecodesToItsPosition() throws {
        let position = try Fixture.decode(Fixture.entry(Fixture.contractPayload)).get()
        #expect(position == Fixture.position)
        #expect(position.deviceID == "356307042441013")
        #expect(position.timestamp == 1_777_739_812_123_000)
        #expect(position.latitude == 54.687157)
        #expect(position.longitude == 25.279652)
        #expect(position.altitude == 112)
        #expect(position.angle == 270)
        #expect(position.speed == 43)
        #expect(position.satellites == 11)
        #expect(position.priority == 0)
        #expect(position.attributes[239] == .number("1"))
        #expect(position.attributes[66] == .number("12870"))
        #expect(position.attributes[16] == .bigint("18446744073709551615"))
        #expect(position.attributes[385] == .bytes("AQIDBA=="))
        #expect(position.attributes.count == 4)
    }

    @Test func compactExampleDecodesLikeThePrettyOne() throws {
        let position = try Fixture.decode(Fixture.entry(Payload().text)).get()
        #expect(position == Fixture.position)
    }

    @Test func contractExampleAttributesJSON() throws {
        let position = try Fixture.decode(Fixture.entry(Fixture.contractPayload)).get()
        #expect(position.attributesJSON == #"{"16":"18446744073709551615","66":12870,"239":1,"385":"AQIDBA=="}"#)
    }

    @Test func entryWithExtraFieldsAndOtherFieldOrderDecodes() throws {
        let entry = StreamEntry(
            id: Fixture.entryID,
            fields: [
                StreamEntry.Field(name: "source", value: Array("tcp-3".utf8)),
                StreamEntry.Field(name: "payload", value: Array(Payload().text.utf8)),
                StreamEntry.Field(name: "device_id", value: Array(Fixture.deviceID.utf8)),
            ]
        )
        #expect(try Fixture.decode(entry).get() == Fixture.position)
    }

    /// RFC 8259 §8.3: keys are compared as their code units. "é" (U+00E9) and "e\u{301}" are two keys, though
    /// Swift's `String` equality (canonical equivalence) calls them one; the same bytes twice are one key twice.
    @Test func keysEqualOnlyAsUnicodeAreTwoKeys_theSameBytesTwiceAreOneKeyTwice() throws {
        let text = Payload().text
        let two = "{\"\u{E9}\":1,\"e\u{301}\":2," + text.dropFirst()
        #expect(try Fixture.decode(Fixture.entry(two)).get() == Fixture.position)
        let once = "{\"\u{E9}\":1,\"\u{E9}\":2," + text.dropFirst()
        guard case .failure(let error) = Fixture.decode(Fixture.entry(once)) else {
            Issue.record("a key written twice must be refused")
            return
        }
        #expect(error.reason.code == "duplicate_key")
    }

    /// The decoder tries each key as the one the contract's order puts next, and reads it as any key when
    /// it is not: every order and spacing decodes alike.
    @Test func membersInAnyOrderOrSpacing_decodeAlike() throws {
        let payloads = [
            #"{"device_id":"356307042441013","timestamp":"2026-05-02T16:36:52.123Z","latitude":1,"longitude":2,"angle":3}"#,
            #"{"angle":3,"longitude":2,"latitude":1,"timestamp":"2026-05-02T16:36:52.123Z","device_id":"356307042441013"}"#,
            #"{ "device_id" : "356307042441013" , "timestamp":"2026-05-02T16:36:52.123Z" ,"latitude" :1,"longitude":2,"angle":3}"#,
            #"{"device_id":"356307042441013","latitude":1,"timestamp":"2026-05-02T16:36:52.123Z","x":[1],"longitude":2,"angle":3}"#,
            #"{"device_id":"356307042441013","timestamp":"2026-05-02T16:36:52.123Z","latitude":1,"longitude":2,"\u0061ngle":3}"#,
        ]
        for payload in payloads {
            let position = try Fixture.decode(Fixture.entry(payload)).get()
            #expect(
                position
                    == Position(
                        deviceID: Fixture.deviceID,
                        timestamp: Fixture.timestamp,
                        latitude: 1,
                        longitude: 2,
                        angle: 3
                    ),
                "\(payload)"
            )
        }
    }

    @Test func onlyRequiredFields() throws {
        let payload =
            #"{"device_id":"356307042441013","timestamp":"2026-05-02T16:36:52.123Z","latitude":1,"longitude":2}"#
        let position = try Fixture.decode(Fixture.entry(payload)).get()
        #expect(
            position
                == Position(deviceID: Fixture.deviceID, timestamp: Fixture.timestamp, latitude: 1, longitude: 2)
        )
    }

    @Test(arguments: ["altitude", "angle", "speed", "satellites", "priority", "attributes"])
    func optionalFieldMayBeNull(_ key: String) throws {
        let position = try Fixture.decode(Fixture.entry(Payload.with(key, "null").text)).get()
        try #require(Self.optionalValue(key, of: position) == nil)
    }

    @Test(arguments: ["altitude", "angle", "speed", "satellites", "priority", "attributes"])
    func optionalFieldMayBeAbsent(_ key: String) throws {
        let position = try Fixture.decode(Fixture.entry(Payload.without(key).text)).get()
        try #require(Self.optionalValue(key, of: position) == nil)
    }

    /// The optional field `key` of `position`, `nil` when unset (attributes: when empty).
    private static func optionalValue(_ key: String, of position: Position) -> String? {
        switch key {
        case "altitude": position.altitude.map { "\($0)" }
        case "angle": position.angle.map { "\($0)" }
        case "speed": position.speed.map { "\($0)" }
        case "satellites": position.satellites.map { "\($0)" }
        case "priority": position.priority.map { "\($0)" }
        case "attributes": position.attributes.isEmpty ? nil : "\(position.attributes)"
        default: "unknown key \(key)"
        }
    }

    @Test func emptyAttributesObject() throws {
        let position = try Fixture.decode(Fixture.entry(Payload.attributes("{}"))).get()
        #expect(position.attributes.isEmpty)
        #expect(position.attributesJSON == "{}")
    }

    @Test func attributeNumbersKeepTheirJSONText() throws {
        let payload = Payload.attributes(
            #"{"0":-3.50,"1":1E3,"2":0,"3":-0,"65535":1e-400,"7":123456789012345678901234567890}"#
        )
        let position = try Fixture.decode(Fixture.entry(payload)).get()
        #expect(
            position.attributes == [
                0: .number("-3.50"), 1: .number("1E3"), 2: .number("0"), 3: .number("-0"), 65535: .number("1e-400"),
                7: .number("123456789012345678901234567890"),
            ]
        )
    }

    @Test func tagValuesWrittenWithEscapesAreStoredUnescaped() throws {
        // Decoded escapes live only while read: the attributes must keep a copy, not the reader's bytes.
        let payload = Payload.attributes(
            #"{"16":{"$bigint":"\u0031\u0038446744073709551615"},"385":{"$bytes":"AQID\u0042A=="},"1":2}"#
        )
        let position = try Fixture.decode(Fixture.entry(payload)).get()
        #expect(position.attributes == [16: .bigint("18446744073709551615"), 385: .bytes("AQIDBA=="), 1: .number("2")])
        #expect(position.attributesJSON == #"{"1":2,"16":"18446744073709551615","385":"AQIDBA=="}"#)
    }

    @Test func integralValueWrittenWithAFractionIsAnInteger() throws {
        let position = try Fixture.decode(
            Fixture.entry(Payload.with("satellites", "11.0").with("priority", "1e0").text)
        )
        .get()
        #expect(position.satellites == 11)
        #expect(position.priority == 1)
    }

    @Test func numbersParseToTheNearestDouble() throws {
        let payload = Payload.with("latitude", "-12.3456789012345678").with("longitude", "1.7976931348623157e-306")
            .with("altitude", "99999.99999999999").with("speed", "0.1e1").text
        let position = try Fixture.decode(Fixture.entry(payload)).get()
        #expect(position.latitude == -12.3456789012345678)
        #expect(position.longitude == 1.7976931348623157e-306)
        #expect(position.altitude == 99999.99999999999)
        #expect(position.speed == 1)
    }

    @Test func escapedDeviceIDEqualsTheEntryField() throws {
        let payload = Payload.with("device_id", #""\u0033\u00356307042441013""#).text
        #expect(try Fixture.decode(Fixture.entry(payload)).get() == Fixture.position)
    }

    @Test func deviceIDMayHoldAnyPrintableASCII() throws {
        let id = ##" !"#$%&'()*+,-./09:;<=>?@AZ[\]^_`az{|}~"##
        let escaped = id.replacingBackslashAndQuote()
        let position = try Fixture.decode(Fixture.entry(Payload.with("device_id", "\"\(escaped)\"").text, deviceID: id))
            .get()
        #expect(position.deviceID == id)
    }

    // MARK: Boundaries

    struct Boundary: Sendable, CustomTestStringConvertible {
        var key: String
        var json: String
        var accepted: Bool
        var testDescription: String { "\(self.key): \(self.json) \(self.accepted ? "accepted" : "rejected")" }
    }

    static let boundaries: [Boundary] = [
        Boundary(key: "latitude", json: "90", accepted: true),
        Boundary(key: "latitude", json: "-90", accepted: true),
        Boundary(key: "latitude", json: "90.0000001", accepted: false),
        Boundary(key: "latitude", json: "-90.0000001", accepted: false),
        Boundary(key: "longitude", json: "180", accepted: true),
        Boundary(key: "longitude", json: "-180", accepted: true),
        Boundary(key: "longitude", json: "180.0000001", accepted: false),
        Boundary(key: "longitude", json: "-180.0000001", accepted: false),
        Boundary(key: "angle", json: "0", accepted: true),
        Boundary(key: "angle", json: "-0", accepted: true),
        Boundary(key: "angle", json: "360", accepted: true),
        Boundary(key: "angle", json: "-0.001", accepted: false),
        Boundary(key: "angle", json: "360.001", accepted: false),
        Boundary(key: "speed", json: "0", accepted: true),
        Boundary(key: "speed", json: "2000", accepted: true),
        Boundary(key: "speed", json: "-0.5", accepted: false),
        Boundary(key: "speed", json: "2000.5", accepted: false),
        Boundary(key: "altitude", json: "100000", accepted: true),
        Boundary(key: "altitude", json: "-100000", accepted: true),
        Boundary(key: "altitude", json: "100000.1", accepted: false),
        Boundary(key: "altitude", json: "-1e5", accepted: true),
        Boundary(key: "altitude", json: "-1.000001e5", accepted: false),
        Boundary(key: "satellites", json: "0", accepted: true),
        Boundary(key: "satellites", json: "255", accepted: true),
        Boundary(key: "satellites", json: "256", accepted: false),
        Boundary(key: "satellites", json: "-1", accepted: false),
        Boundary(key: "priority", json: "0", accepted: true),
        Boundary(key: "priority", json: "2", accepted: true),
        Boundary(key: "priority", json: "3", accepted: false),
        Boundary(key: "priority", json: "-1", accepted: false),
    ]

    @Test(arguments: Self.boundaries)
    func boundaryValue(_ boundary: Boundary) {
        let reason = Fixture.reason(Fixture.entry(Payload.with(boundary.key, boundary.json).text))
        if boundary.accepted {
            #expect(reason == nil)
        } else {
            #expect(reason?.code == "out_of_range")
        }
    }

    @Test(arguments: [
        ("-9223372036854775808", true),
        ("-9223372036854775809", false),
        ("18446744073709551615", true),
        ("18446744073709551616", false),
        ("0", true),
        ("-1", true),
        ("9223372036854775807", true),
        ("99999999999999999999", false),
        ("-10000000000000000000", false),
    ])
    func bigintBoundary(_ digits: String, _ accepted: Bool) throws {
        let payload = Payload.attributes(#"{"16":{"$bigint":"\#(digits)"}}"#)
        let result = Fixture.decode(Fixture.entry(payload))
        if accepted {
            #expect(try result.get().attributes == [16: .bigint(digits)])
        } else {
            #expect(
                Fixture.reason(Fixture.entry(payload))
                    == .invalidBigint(field: "payload.attributes.16.$bigint", text: digits, problem: .outOfRange)
            )
        }
    }

    @Test func deviceIDOf64BytesIsAccepted() throws {
        let id = String(repeating: "7", count: 64)
        let position = try Fixture.decode(Fixture.entry(Payload.with("device_id", "\"\(id)\"").text, deviceID: id))
            .get()
        #expect(position.deviceID == id)
    }

    @Test func deviceIDOf65BytesIsRejected() {
        let id = String(repeating: "7", count: 65)
        #expect(
            Fixture.reason(Fixture.entry(Payload.with("device_id", "\"\(id)\"").text, deviceID: id))
                == .invalidDeviceID(field: "device_id", value: id, problem: .tooLong(byteCount: 65))
        )
    }

    @Test(arguments: [("0", 0), ("9", 9), ("10", 10), ("385", 385), ("65535", 65535)])
    func attributeKeyBoundary(_ key: String, _ id: Int) throws {
        let position = try Fixture.decode(Fixture.entry(Payload.attributes(#"{"\#(key)":1}"#))).get()
        #expect(position.attributes == [UInt16(id): .number("1")])
    }

    @Test(arguments: ["", "AAAA", "AA==", "AAA=", "+/+/", "AQIDBA==", "AQIDBAU=", "AQIDBAUG"])
    func validBytes(_ base64: String) throws {
        let position = try Fixture.decode(Fixture.entry(Payload.attributes(#"{"385":{"$bytes":"\#(base64)"}}"#)))
            .get()
        #expect(position.attributes == [385: .bytes(base64)])
    }
}

extension String {
    fileprivate func replacingBackslashAndQuote() -> String {
        var result = ""
        for character in self {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            default: result.append(character)
            }
        }
        return result
    }
}
