import NIOCore

/// The error codes of the live protocol (CONTRACT §5).
enum LiveErrorCode: String, Sendable {
    /// The frame is not JSON, or has an unknown `type` or no `topic`.
    case badRequest = "bad-request"
    /// The topic is not `event:<uuid>`.
    case unknownTopic = "unknown-topic"
    /// The CMS says the user may not watch the event.
    case forbidden
    /// The CMS could not be asked, or the snapshot could not be read.
    case unavailable
}

/// The server-to-client messages of the live protocol (CONTRACT §5), each as a whole WebSocket text frame
/// ready to write (see ``ServerFrame``).
enum LiveMessage {
    /// `{"type":"position","topic":…,"position":{…}}`, built once per position and topic.
    static func position(_ position: LivePosition, topic: LiveTopic) -> ByteBuffer {
        ServerFrame.make(.text, capacity: 256) { buffer in
            buffer.writeStaticString("{\"type\":\"position\",\"topic\":")
            Self.writeTopic(topic, into: &buffer)
            buffer.writeStaticString(",\"position\":")
            LiveJSON.writePosition(position, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// `{"type":"subscribed","topic":…,"snapshot":[…],"course":[…],"entries":[…],"crossings":[…]}`
    /// (CONTRACT §5, §6.5).
    static func subscribed(
        topic: LiveTopic,
        snapshot: [LivePosition],
        timing: LiveTimingSnapshot = LiveTimingSnapshot()
    ) -> ByteBuffer {
        let capacity =
            64 + 200 * snapshot.count + 200 * timing.course.count + 100 * timing.entries.count
            + 200 * timing.crossings.count
        return ServerFrame.make(.text, capacity: capacity) { buffer in
            buffer.writeStaticString("{\"type\":\"subscribed\",\"topic\":")
            Self.writeTopic(topic, into: &buffer)
            buffer.writeStaticString(",\"snapshot\":[")
            for (index, position) in snapshot.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                LiveJSON.writePosition(position, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
            Self.writeTiming(timing, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// `{"type":"unsubscribed","topic":…}`.
    static func unsubscribed(topic: LiveTopic) -> ByteBuffer {
        ServerFrame.make(.text, capacity: 80) { buffer in
            buffer.writeStaticString("{\"type\":\"unsubscribed\",\"topic\":")
            Self.writeTopic(topic, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// `{"type":"error","topic":…,"code":…,"message":…}`; `topic` is left out when the request had none.
    static func error(_ code: LiveErrorCode, topic: String?, message: String) -> ByteBuffer {
        ServerFrame.make(.text, capacity: 96 + message.utf8.count + (topic?.utf8.count ?? 0)) { buffer in
            buffer.writeStaticString("{\"type\":\"error\",")
            if let topic {
                buffer.writeStaticString("\"topic\":")
                LiveJSON.writeString(topic, into: &buffer)
                buffer.writeInteger(UInt8(ascii: ","))
            }
            buffer.writeStaticString("\"code\":")
            LiveJSON.writeString(code.rawValue, into: &buffer)
            buffer.writeStaticString(",\"message\":")
            LiveJSON.writeString(message, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// `"event:<id>"`: the id is a UUID, with nothing to escape.
    private static func writeTopic(_ topic: LiveTopic, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"event:")
        buffer.writeString(topic.event)
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
