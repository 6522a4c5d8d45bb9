import NIOCore
import Testing

@testable import Stages

/// The live protocol's JSON text, written by hand (CONTRACT §5).
@Suite(.timeLimit(.minutes(1))) struct LiveJSONTests {
    private func json(_ write: (inout ByteBuffer) -> Void) -> String {
        var buffer = ByteBuffer()
        write(&buffer)
        return String(buffer: buffer)
    }

    @Test func stringsEscapeQuotesBackslashesAndControlCharactersOnly() {
        let text = "a\"b\\c\nd\re\tf\u{8}g\u{C}h\u{1}i\u{1F}j/é🚴\u{7F}"
        #expect(
            self.json { LiveJSON.writeString(text, into: &$0) }
                == #""a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj/é🚴\#u{7F}""#
        )
        #expect(self.json { LiveJSON.writeString("", into: &$0) } == #""""#)
    }

    @Test(arguments: [
        (112.0, "112"), (-0.0, "0"), (0.0, "0"), (-8.5, "-8.5"), (47.376887, "47.376887"), (0.1, "0.1"),
        (1e-7, "1e-07"), (123_456_789_012_345.0, "123456789012345"), (1e15, "1000000000000000"),
        (9_007_199_254_740_992.0, "9007199254740992"), (9_007_199_254_740_994.0, "9.007199254740994e+15"),
        (-1e300, "-1e+300"),
        (Double.nan, "null"), (Double.infinity, "null"),
    ])
    func numbersAreWrittenAsTheyRoundTrip(value: Double, text: String) {
        #expect(self.json { LiveJSON.writeNumber(value, into: &$0) } == text)
    }

    @Test func everyNonIntegralNumberReadsBackAsTheSameDouble() {
        for value in [47.376887, 8.541694, 0.30000000000000004, .leastNonzeroMagnitude, 408.25, 1e21 + 0.5] {
            let text = self.json { LiveJSON.writeNumber(value, into: &$0) }
            #expect(Double(text) == value, "\(text)")
        }
    }

    @Test func aPositionHasEveryKeyWithNullForWhatWasNotReported() {
        let full = LivePosition(
            deviceID: "tracker-7",
            timestamp: 1_777_739_812_123_999,
            latitude: 47.376887,
            longitude: 8.541694,
            altitude: 408,
            angle: 271.5,
            speed: 12,
            satellites: 11
        )
        #expect(
            self.json { LiveJSON.writePosition(full, into: &$0) }
                == #"{"device_id":"tracker-7","ts":"2026-05-02T16:36:52.123Z","latitude":47.376887,"#
                + #""longitude":8.541694,"altitude":408,"angle":271.5,"speed":12,"satellites":11}"#
        )
        let bare = LivePosition(deviceID: "t", timestamp: 0, latitude: 0, longitude: -0.5)
        #expect(
            self.json { LiveJSON.writePosition(bare, into: &$0) }
                == #"{"device_id":"t","ts":"1970-01-01T00:00:00.000Z","latitude":0,"longitude":-0.5,"#
                + #""altitude":null,"angle":null,"speed":null,"satellites":null}"#
        )
    }

    @Test func messagesAreWholeTextFramesOfTheProtocolsJSON() throws {
        let topic = try #require(LiveTopic(event: "0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01"))
        func payload(_ frame: ByteBuffer) -> String {
            var frame = frame
            #expect(frame.readInteger(as: UInt8.self) == 0x81)  // FIN, text
            let length = Int(frame.readInteger(as: UInt8.self)! & 0x7F)
            #expect(length == frame.readableBytes)
            return String(buffer: frame)
        }
        #expect(
            payload(LiveMessage.unsubscribed(topic: topic))
                == #"{"type":"unsubscribed","topic":"event:0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01"}"#
        )
        #expect(
            payload(LiveMessage.error(.unknownTopic, topic: "room:\"1\"", message: "no"))
                == #"{"type":"error","topic":"room:\"1\"","code":"unknown-topic","message":"no"}"#
        )
        #expect(
            payload(LiveMessage.error(.badRequest, topic: nil, message: "not JSON"))
                == #"{"type":"error","code":"bad-request","message":"not JSON"}"#
        )
    }
}

/// Unmasked server frames (RFC 6455 §5.2).
@Suite(.timeLimit(.minutes(1))) struct ServerFrameTests {
    @Test(arguments: [(0, 2), (125, 2), (126, 4), (65_535, 4), (65_536, 10)])
    func theHeaderHasTheShortestLengthEncoding(length: Int, headerLength: Int) {
        let frame = ServerFrame.make(.text, capacity: 16) { $0.writeRepeatingByte(UInt8(ascii: "x"), count: length) }
        #expect(frame.readableBytes == headerLength + length)
        #expect(frame.getInteger(at: frame.readerIndex, as: UInt8.self) == 0x81)
        let marker = frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self)!
        switch headerLength {
        case 2: #expect(Int(marker) == length)
        case 4:
            #expect(marker == 126)
            #expect(frame.getInteger(at: frame.readerIndex + 2, as: UInt16.self).map(Int.init) == length)
        default:
            #expect(marker == 127)
            #expect(frame.getInteger(at: frame.readerIndex + 2, as: UInt64.self).map(Int.init) == length)
        }
    }

    @Test func aCloseFrameCarriesItsCodeAndAReasonCutToFitAtACharacterBoundary() {
        var close = ServerFrame.close(code: 1008, reason: "too slow: behind for 10s")
        let first = close.readInteger(as: UInt8.self)
        let length = close.readInteger(as: UInt8.self)
        let code = close.readInteger(as: UInt16.self)
        #expect(first == 0x88)
        #expect(length == 26)  // the code's 2 bytes and the reason's 24
        #expect(code == 1008)
        #expect(String(buffer: close) == "too slow: behind for 10s")

        var long = ServerFrame.close(code: 1001, reason: String(repeating: "é", count: 100))
        _ = long.readInteger(as: UInt8.self)
        let longLength = long.readInteger(as: UInt8.self)
        #expect(longLength == 124)  // 61 two-byte characters: 123 bytes would split one
        _ = long.readInteger(as: UInt16.self)
        #expect(String(buffer: long) == String(repeating: "é", count: 61))
    }

    @Test func aPongEchoesThePingsPayload() {
        var pong = ServerFrame.pong(ByteBuffer(string: "hi"))
        #expect(pong.readInteger(as: UInt8.self) == 0x8A)
        #expect(pong.readInteger(as: UInt8.self) == 2)
        #expect(String(buffer: pong) == "hi")
    }
}

/// Client frames and topics.
@Suite(.timeLimit(.minutes(1))) struct LiveRequestTests {
    private let event = "0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01"

    private func parse(_ text: String) -> Result<LiveRequest, LiveRequestError> {
        LiveRequest.parse(ByteBuffer(string: text))
    }

    @Test func subscribeAndUnsubscribeAreParsedWithOtherKeysIgnored() throws {
        let topic = try #require(LiveTopic(event: self.event))
        #expect(try self.parse(#"{"type":"subscribe","topic":"event:\#(self.event)"}"#).get() == .subscribe(topic))
        #expect(
            try self.parse(#" { "id": [1, {"a": null}], "topic": "event:\#(self.event)", "type": "unsubscribe" } "#)
                .get() == .unsubscribe(topic)
        )
    }

    @Test func anUpperCaseUUIDIsTheSameTopic() throws {
        let request = try self.parse(#"{"type":"subscribe","topic":"event:\#(self.event.uppercased())"}"#).get()
        #expect(request == .subscribe(try #require(LiveTopic(event: self.event))))
    }

    @Test(
        arguments: [
            ("not json", nil), ("", nil), (#"{"type":"subscribe","topic":"event:x""#, nil), ("[1]", nil),
            (#""subscribe""#, nil), (#"{"type":"subscribe"}"#, nil),
            (
                #"{"type":"publish","topic":"event:0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01"}"#,
                "event:0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01"
            ),
            (#"{"topic":"t"}"#, "t"), (#"{"type":1,"topic":"t"}"#, "t"), (#"{"type":"subscribe","topic":5}"#, nil),
            (#"{"type":"subscribe","type":"subscribe","topic":"t"}"#, "t"),
        ] as [(String, String?)]
    )
    func malformedFramesAreBadRequests(text: String, topic: String?) {
        guard case .failure(let error) = self.parse(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(error.code == .badRequest, "\(text)")
        #expect(error.topic == topic, "\(text)")
        #expect(!error.message.isEmpty)
    }

    @Test func invalidUTF8IsABadRequest() {
        var buffer = ByteBuffer(string: #"{"type":"subscribe","topic":"event:"#)
        buffer.writeBytes([0xC3, 0x28])
        buffer.writeString(#""}"#)
        guard case .failure(let error) = LiveRequest.parse(buffer) else {
            Issue.record("parsed")
            return
        }
        #expect(error.code == .badRequest)
    }

    @Test(arguments: [
        "event:", "event:0b7e4c1a7d4f4f1e9a513c2d1e0f9a01", "event:0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a0",
        "event:0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01x", "event:0b7e4c1g-7d4f-4f1e-9a51-3c2d1e0f9a01",
        "Event:0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01", "room:0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01",
        "event:{0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a0}", "0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01",
    ])
    func topicsThatAreNotEventUUIDsAreUnknown(topic: String) {
        guard case .failure(let error) = self.parse(#"{"type":"subscribe","topic":"\#(topic)"}"#) else {
            Issue.record("\(topic) parsed")
            return
        }
        #expect(error.code == .unknownTopic)
        #expect(error.topic == topic)
    }
}
