import NIOCore
import NIOWebSocket
import Testing

@testable import Stages

/// Each state of a live connection × each event, on the pure state machine: no socket, no clock, no loop.
///
/// Names say the state (and what it holds), the event, and the outcome. The events of one area are in
/// `LiveConnectionStateMachineTests+<Area>.swift`.
@Suite struct LiveConnectionStateMachineTests {
    typealias Machine = LiveConnectionStateMachine

    static let topicA = LiveTopic(event: "00000000-0000-4000-8000-00000000000a")!
    static let topicB = LiveTopic(event: "00000000-0000-4000-8000-00000000000b")!

    /// An open connection: `clientQueue` positions may wait, reads are held at `maxSubscribesInFlight`.
    static func openMachine(clientQueue: Int = 3, maxSubscribesInFlight: Int = 2, maxMessageSize: Int = 256) -> Machine
    {
        var machine = Machine(
            configuration: .init(
                clientQueue: clientQueue,
                maxSubscribesInFlight: maxSubscribesInFlight,
                maxMessageSize: maxMessageSize
            )
        )
        #expect(machine.handlerAdded() == true)
        return machine
    }

    /// An open connection subscribed to `topics` (each answered `subscribed` with an empty snapshot).
    static func subscribedMachine(_ topics: [LiveTopic] = [topicA], clientQueue: Int = 3) -> Machine {
        var machine = Self.openMachine(clientQueue: clientQueue)
        for topic in topics {
            guard case .subscribe(_, let id, _) = machine.frameReceived(Self.request("subscribe", topic)) else {
                Issue.record("a subscribe starts a fetch")
                continue
            }
            _ = machine.subscribeAnswered(topic: topic, id: id, Self.snapshot())
        }
        return machine
    }

    /// An open connection that fell behind at `since` with `waiting` positions queued (device `w0`, `w1`…).
    static func behindMachine(since: NIODeadline = at(0), waiting: Int = 1, clientQueue: Int = 3) -> Machine {
        var machine = Self.subscribedMachine(clientQueue: clientQueue)
        for index in 0..<waiting {
            _ = machine.send(.position(Self.position("w\(index)", 1)), isWritable: false, now: since)
        }
        return machine
    }

    /// A connection that started closing (on shutdown).
    static func closingMachine() -> Machine {
        var machine = Self.subscribedMachine()
        #expect(machine.shutdown() != nil)
        return machine
    }

    static func closedMachine() -> Machine {
        var machine = Self.subscribedMachine()
        #expect(machine.channelClosed() != nil)
        return machine
    }

    // MARK: Values

    /// `seconds` after an arbitrary origin.
    static func at(_ seconds: Double) -> NIODeadline {
        .uptimeNanoseconds(1_000_000_000_000 + UInt64(seconds * 1e9))
    }

    /// A masked client frame (with a zero key, so its bytes are its payload).
    static func frame(_ opcode: WebSocketOpcode, _ payload: String, fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, maskKey: [0, 0, 0, 0], data: ByteBuffer(string: payload))
    }

    static func request(_ type: String, _ topic: LiveTopic) -> WebSocketFrame {
        Self.frame(.text, #"{"type":"\#(type)","topic":"\#(topic.name)"}"#)
    }

    /// A client close frame with `code` (none when `nil`).
    static func clientClose(_ code: UInt16?) -> WebSocketFrame {
        var data = ByteBuffer()
        if let code { data.writeInteger(code) }
        return WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: [0, 0, 0, 0], data: data)
    }

    /// A position frame of `device` at `timestamp` (µs) whose bytes name both (`d1@5`).
    static func position(_ device: String, _ timestamp: Int64) -> LiveFrame {
        LiveFrame(
            topic: 0,
            deviceID: device,
            timestamp: timestamp,
            bytes: ByteBuffer(string: "\(device)@\(timestamp)")
        )
    }

    /// A `subscribed` answer whose message reads `snapshot`, with the snapshot's newest instant per device.
    static func snapshot(_ timestamps: [String: Int64] = [:]) -> LiveSubscriptionAnswer {
        .subscribed(message: ByteBuffer(string: "snapshot"), snapshotTimestamps: timestamps)
    }

    /// The payload of a server frame (``ServerFrame``), as text.
    static func payload(_ frame: ByteBuffer) -> String {
        var frame = frame
        guard frame.readInteger(as: UInt8.self) != nil, let length = frame.readInteger(as: UInt8.self) else {
            return ""
        }
        switch length {
        case 126: _ = frame.readInteger(as: UInt16.self)
        case 127: _ = frame.readInteger(as: UInt64.self)
        default: break
        }
        return String(buffer: frame)
    }

    /// The text of what a send writes (position frames here are their own text).
    static func written(_ action: Machine.SendAction) -> String? {
        guard case .write(let bytes) = action else { return nil }
        return String(buffer: bytes)
    }

    /// The open state's data (a copy), `nil` when not open.
    static func open(_ machine: Machine) -> Machine.Open? {
        guard case .open(let open) = machine.state else { return nil }
        return open
    }

    static func isClosing(_ machine: Machine) -> Bool {
        if case .closing = machine.state { return true }
        return false
    }

    static func isClosed(_ machine: Machine) -> Bool {
        if case .closed = machine.state { return true }
        return false
    }

    /// Writes everything that waits (the channel stays writable); returns the texts written.
    static func drain(_ machine: inout Machine) -> [String] {
        var written: [String] = []
        while case .write(let bytes) = machine.writeQueued(isWritable: true) { written.append(String(buffer: bytes)) }
        return written
    }
}
