import NIOCore
import NIOWebSocket

/// The client's frames: control frames, fragment reassembly, requests, and protocol errors.
///
/// - Important: A protocol error (an unmasked frame, an unknown opcode, an unexpected continuation, a message
///   over the size limit) closes with `closeWhenSent`; a bad request is answered with an `error` and never
///   closes the socket by itself. Only an open connection answers; a closing one only waits for the client's
///   close frame.
extension LiveConnectionStateMachine {
    enum FrameAction: Equatable {
        case none
        /// Write this pong at once, ahead of anything waiting, and flush it.
        case pong(ByteBuffer)
        /// Send this answer (an `error`) through ``LiveConnectionStateMachine/send(_:isWritable:now:)``.
        case answer(ByteBuffer)
        /// Join the topic on the loop when `join` (it was not subscribed), then ask the CMS and read the
        /// snapshot; the answer comes back through ``LiveConnectionStateMachine/subscribeAnswered(topic:id:_:now:)``
        /// with this `id`.
        case subscribe(LiveTopic, id: UInt64, join: Bool)
        /// Leave the topic on the loop when `leave` (it was subscribed), then send the `unsubscribed` answer.
        case unsubscribe(LiveTopic, leave: Bool, answer: ByteBuffer)
        /// Start the closing handshake.
        case close(CloseAction)
        /// Close the channel: the client answered the server's close frame.
        case closeChannel
    }

    /// One frame from NIO's frame decoder. The handler flushes (and counts) what was written afterwards.
    mutating func frameReceived(_ frame: WebSocketFrame) -> FrameAction {
        guard frame.maskKey != nil else {
            return self.protocolError(LiveCloseCode.protocolError, "client frames must be masked")
        }
        switch frame.opcode {
        case .connectionClose:
            return self.receivedClose(frame)
        case .ping:
            return self.isOpen ? .pong(ServerFrame.pong(frame.unmaskedData)) : .none
        case .pong:
            return .none
        case .text, .binary, .continuation:
            return self.receivedData(frame)
        default:
            return self.protocolError(LiveCloseCode.protocolError, "unknown opcode")
        }
    }

    /// Closes because of the client, as soon as the close frame is written.
    private mutating func protocolError(_ code: UInt16, _ reason: String) -> FrameAction {
        self.close(code: code, reason: reason, closeWhenSent: true).map(FrameAction.close) ?? .none
    }

    /// The client's close frame: answered with the same code (RFC 6455 §5.5.1), a code the client may not send
    /// answered 1000, and the connection closed once the answer is written; or, when the server started
    /// closing, the end of the handshake.
    private mutating func receivedClose(_ frame: WebSocketFrame) -> FrameAction {
        switch self.state {
        case .open:
            var data = frame.unmaskedData
            var code = data.readInteger(as: UInt16.self) ?? LiveCloseCode.normal
            if !(1000..<5000).contains(code) || [1004, 1005, 1006, 1015].contains(code) { code = LiveCloseCode.normal }
            return self.protocolError(code, "")
        case .closing:
            return .closeChannel
        case .upgraded, .closed, .modifying:
            return .none
        }
    }

    /// A text, binary or continuation frame: reassembles fragmented messages, answers binary ones with
    /// `bad-request`, and handles each whole text message.
    private mutating func receivedData(_ frame: WebSocketFrame) -> FrameAction {
        let maxMessageSize = self.configuration.maxMessageSize
        guard let step = self.modifyOpen({ $0.reassemble(frame, maxMessageSize: maxMessageSize) }) else {
            return .none
        }
        switch step {
        case .incomplete:
            return .none
        case .text(let message):
            return self.received(message)
        case .binary:
            return .answer(LiveMessage.error(.badRequest, topic: nil, message: "frames are JSON text, not binary"))
        case .tooLarge:
            return self.protocolError(LiveCloseCode.messageTooLarge, "message too large")
        case .unexpected:
            return self.protocolError(LiveCloseCode.protocolError, "unexpected continuation")
        }
    }

    /// One whole text message: a request, or an error answer.
    private mutating func received(_ message: ByteBuffer) -> FrameAction {
        switch LiveRequest.parse(message) {
        case .success(.subscribe(let topic)):
            return self.subscribe(to: topic)
        case .success(.unsubscribe(let topic)):
            return self.unsubscribe(from: topic)
        case .failure(let error):
            return .answer(LiveMessage.error(error.code, topic: error.topic, message: error.message))
        }
    }
}

extension LiveConnectionStateMachine.Open {
    /// What a data frame completes.
    enum ReassemblyStep {
        /// A fragment of a message still coming.
        case incomplete
        /// A whole text message.
        case text(ByteBuffer)
        /// A whole binary message (its bytes skipped).
        case binary
        /// The text message grew past the size limit.
        case tooLarge
        /// A continuation with no message begun, or a new message before the last one ended.
        case unexpected
    }

    /// Adds `frame` (text, binary or continuation) to the message in progress.
    mutating func reassemble(_ frame: WebSocketFrame, maxMessageSize: Int) -> ReassemblyStep {
        switch frame.opcode {
        case .text:
            guard case .idle = self.reassembly else { return .unexpected }
            if frame.fin { return .text(frame.unmaskedData) }
            self.reassembly = .text(frame.unmaskedData)
            return .incomplete
        case .binary:
            guard case .idle = self.reassembly else { return .unexpected }
            if frame.fin { return .binary }
            self.reassembly = .binary
            return .incomplete
        default:
            switch self.reassembly {
            case .idle:
                return .unexpected
            case .text(var fragments):
                // Taken out, so that appending does not copy it.
                self.reassembly = .idle
                var data = frame.unmaskedData
                fragments.writeBuffer(&data)
                guard fragments.readableBytes <= maxMessageSize else { return .tooLarge }
                if frame.fin { return .text(fragments) }
                self.reassembly = .text(fragments)
                return .incomplete
            case .binary:
                if frame.fin { self.reassembly = .idle }
                return frame.fin ? .binary : .incomplete
            }
        }
    }
}
