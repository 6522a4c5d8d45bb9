import NIOCore
import NIOWebSocket
import Testing

@testable import Stages

// MARK: Control frames, fragments, bad requests, protocol errors

extension LiveConnectionStateMachineTests {
    /// The close code and reason of a close action, or `nil`.
    static func closed(_ action: Machine.FrameAction) -> (code: UInt16, reason: String, whenSent: Bool)? {
        guard case .close(let close) = action else { return nil }
        return (close.code, close.reason, close.closeWhenSent)
    }

    @Test func openReceivesUnmaskedFrame_closesWith1002WhenSent() {
        var machine = Self.openMachine()
        let unmasked = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "{}"))
        let close = Self.closed(machine.frameReceived(unmasked))
        #expect(close?.code == 1002)
        #expect(close?.reason == "client frames must be masked")
        #expect(close?.whenSent == true)
        #expect(Self.isClosing(machine))
    }

    @Test func closingReceivesUnmaskedClose_doesNothing() {
        var machine = Self.closingMachine()
        let unmasked = WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer())
        #expect(machine.frameReceived(unmasked) == .none)
        #expect(Self.isClosing(machine))
    }

    @Test func openReceivesPing_answersAPongWithItsPayload() {
        var machine = Self.behindMachine()
        #expect(machine.frameReceived(Self.frame(.ping, "hi")) == .pong(ServerFrame.pong(ByteBuffer(string: "hi"))))
        #expect(Self.open(machine)?.queue.count == 1, "a pong overtakes what waits")
    }

    @Test func closingReceivesPing_doesNotAnswer() {
        var machine = Self.closingMachine()
        #expect(machine.frameReceived(Self.frame(.ping, "hi")) == .none)
    }

    @Test func openReceivesPong_doesNothing() {
        var machine = Self.openMachine()
        #expect(machine.frameReceived(Self.frame(.pong, "")) == .none)
        #expect(machine.isOpen)
    }

    @Test func openReceivesUnknownOpcode_closesWith1002WhenSent() throws {
        var machine = Self.openMachine()
        let reserved = try #require(WebSocketOpcode(encodedWebSocketOpcode: 0x3))
        let close = Self.closed(machine.frameReceived(Self.frame(reserved, "")))
        #expect(close?.code == 1002)
        #expect(close?.reason == "unknown opcode")
        #expect(close?.whenSent == true)
    }

    @Test func openReceivesClientClose_answersWithItsCodeAndClosesWhenSent() throws {
        var machine = Self.subscribedMachine()
        guard case .close(let close) = machine.frameReceived(Self.clientClose(4000)) else {
            Issue.record("the client's close frame is answered")
            return
        }
        #expect(close.code == 4000)
        #expect(close.reason == "")
        #expect(close.closeWhenSent)
        #expect(close.leave == [Self.topicA])
        #expect(Self.isClosing(machine))
    }

    @Test(arguments: [nil, 999, 1004, 1005, 1006, 1015, 5000] as [UInt16?])
    func openReceivesClientCloseWithoutAValidCode_answers1000(code: UInt16?) {
        var machine = Self.openMachine()
        #expect(Self.closed(machine.frameReceived(Self.clientClose(code)))?.code == 1000)
    }

    @Test func closingReceivesClientClose_closesTheChannel() {
        var machine = Self.closingMachine()
        #expect(machine.frameReceived(Self.clientClose(1000)) == .closeChannel)
    }

    @Test func closedReceivesClientClose_doesNothing() {
        var machine = Self.closedMachine()
        #expect(machine.frameReceived(Self.clientClose(1000)) == .none)
    }

    @Test func openReceivesInvalidJSON_answersBadRequest() {
        var machine = Self.openMachine()
        guard case .answer(let error) = machine.frameReceived(Self.frame(.text, "{")) else {
            Issue.record("a bad request is answered")
            return
        }
        #expect(
            Self.payload(error).hasPrefix(#"{"type":"error","code":"bad-request","message":"the frame is not JSON"#)
        )
        #expect(machine.isOpen, "an error never closes the socket by itself")
    }

    @Test func openReceivesUnknownTopic_answersUnknownTopicWithTheTopic() {
        var machine = Self.openMachine()
        guard case .answer(let error) = machine.frameReceived(Self.frame(.text, #"{"type":"subscribe","topic":"x"}"#))
        else {
            Issue.record("an unknown topic is answered")
            return
        }
        #expect(Self.payload(error).hasPrefix(#"{"type":"error","topic":"x","code":"unknown-topic""#))
        #expect(Self.open(machine)?.subscriptions.isEmpty == true)
    }

    @Test func openReceivesBinary_answersBadRequest() {
        var machine = Self.openMachine()
        let expected = LiveMessage.error(.badRequest, topic: nil, message: "frames are JSON text, not binary")
        #expect(machine.frameReceived(Self.frame(.binary, "{}")) == .answer(expected))
    }

    @Test func openReceivesFragmentedText_handlesTheWholeMessageOnItsLastFragment() {
        var machine = Self.openMachine()
        let request = #"{"type":"subscribe","topic":"\#(Self.topicA.name)"}"#
        let (first, second, last) = (request.prefix(10), request.dropFirst(10).prefix(20), request.dropFirst(30))
        #expect(machine.frameReceived(Self.frame(.text, String(first), fin: false)) == .none)
        #expect(machine.frameReceived(Self.frame(.continuation, String(second), fin: false)) == .none)
        #expect(
            machine.frameReceived(Self.frame(.continuation, String(last))) == .subscribe(Self.topicA, id: 0, join: true)
        )
        guard case .idle? = Self.open(machine)?.reassembly else {
            Issue.record("the message is done")
            return
        }
    }

    @Test func openReceivesFragmentedBinary_answersBadRequestOnceWhole() {
        var machine = Self.openMachine()
        #expect(machine.frameReceived(Self.frame(.binary, "a", fin: false)) == .none)
        #expect(machine.frameReceived(Self.frame(.continuation, "b", fin: false)) == .none)
        guard case .answer(let error) = machine.frameReceived(Self.frame(.continuation, "c")) else {
            Issue.record("a whole binary message is answered")
            return
        }
        #expect(Self.payload(error).contains(#""code":"bad-request""#))
        #expect(
            machine.frameReceived(Self.request("subscribe", Self.topicA)) == .subscribe(Self.topicA, id: 0, join: true)
        )
    }

    @Test func openReceivesContinuationWithoutAMessage_closesWith1002WhenSent() {
        var machine = Self.openMachine()
        let close = Self.closed(machine.frameReceived(Self.frame(.continuation, "x")))
        #expect(close?.code == 1002)
        #expect(close?.reason == "unexpected continuation")
        #expect(close?.whenSent == true)
    }

    @Test(arguments: [WebSocketOpcode.text, .binary])
    func reassemblingReceivesANewMessage_closesWith1002(opcode: WebSocketOpcode) {
        var machine = Self.openMachine()
        #expect(machine.frameReceived(Self.frame(.text, "{", fin: false)) == .none)
        #expect(Self.closed(machine.frameReceived(Self.frame(opcode, "}")))?.code == 1002)
    }

    @Test func skippingBinaryReceivesText_closesWith1002() {
        var machine = Self.openMachine()
        #expect(machine.frameReceived(Self.frame(.binary, "a", fin: false)) == .none)
        #expect(Self.closed(machine.frameReceived(Self.frame(.text, "{}")))?.code == 1002)
    }

    @Test func reassemblingReceivesFragmentsPastTheSizeLimit_closesWith1009WhenSent() {
        var machine = Self.openMachine(maxMessageSize: 8)
        #expect(machine.frameReceived(Self.frame(.text, "12345", fin: false)) == .none)
        #expect(machine.frameReceived(Self.frame(.continuation, "678", fin: false)) == .none, "8 bytes: at the limit")
        let close = Self.closed(machine.frameReceived(Self.frame(.continuation, "9")))
        #expect(close?.code == 1009)
        #expect(close?.reason == "message too large")
        #expect(close?.whenSent == true)
    }

    @Test func closingReceivesText_doesNothing() {
        var machine = Self.closingMachine()
        #expect(machine.frameReceived(Self.request("subscribe", Self.topicA)) == .none)
        #expect(machine.frameReceived(Self.frame(.continuation, "x")) == .none, "no protocol error once closing")
    }
}
