import NIOCore

/// The JSON text of the live protocol (CONTRACT §5), written straight into a `ByteBuffer`: no `Codable`, no
/// intermediate `String` per message.
///
/// Strings are escaped per RFC 8259 §7 (`"`, `\` and the control characters below U+0020; everything else
/// is written as its UTF-8). Numbers are passed through as the tracker reported them: an integral double
/// of magnitude at most 2^53 (below that every integer is exact) is written without a fraction (`112`, not
/// `112.0`), any other finite one as Swift's shortest round-trip text (`47.376887`, `1e-07`,
/// `9.007199254740994e+15`), which reads back as the same double. A value
/// that is not finite (never produced by the decoder) is written as `null`, so the text stays JSON.
enum LiveJSON {
    /// Writes `text` as a JSON string, quotes included.
    static func writeString(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var plainStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if plainStart < index { buffer.writeBytes(UnsafeBufferPointer(rebasing: utf8[plainStart..<index])) }
                Self.writeEscape(of: byte, into: &buffer)
                plainStart = index + 1
            }
            if plainStart < utf8.count { buffer.writeBytes(UnsafeBufferPointer(rebasing: utf8[plainStart...])) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static func writeEscape(of byte: UInt8, into buffer: inout ByteBuffer) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        default:
            let hex: StaticString = "0123456789abcdef"
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(hex.utf8Start[Int(byte >> 4)])
            buffer.writeInteger(hex.utf8Start[Int(byte & 0x0F)])
        }
    }

    /// Writes `value` as a JSON number (see the type's documentation), or `null` when it is not finite.
    static func writeNumber(_ value: Double, into buffer: inout ByteBuffer) {
        guard value.isFinite else {
            buffer.writeStaticString("null")
            return
        }
        if value.magnitude <= 9_007_199_254_740_992, value == value.rounded(.towardZero) {
            buffer.writeString(String(Int64(value)))
        } else {
            buffer.writeString(value.description)
        }
    }

    /// Writes `value` as a JSON number, or `null` when it is `nil`.
    static func writeNumber(_ value: Double?, into buffer: inout ByteBuffer) {
        if let value {
            Self.writeNumber(value, into: &buffer)
        } else {
            buffer.writeStaticString("null")
        }
    }

    /// Writes `value` as a JSON number, or `null` when it is `nil`.
    static func writeInteger(_ value: Int?, into buffer: inout ByteBuffer) {
        if let value {
            buffer.writeString(String(value))
        } else {
            buffer.writeStaticString("null")
        }
    }

    /// Writes a live position: `{"device_id","ts","latitude","longitude","altitude","angle","speed",
    /// "satellites"}`, every key present, `null` for a value the tracker did not report, `ts` as ISO-8601
    /// UTC with milliseconds and `Z`.
    static func writePosition(_ position: LivePosition, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"device_id\":")
        Self.writeString(position.deviceID, into: &buffer)
        buffer.writeStaticString(",\"ts\":\"")
        buffer.writeString(Timestamp.format(position.timestamp, precision: .milliseconds))
        buffer.writeInteger(UInt8(ascii: "\""))
        Self.writeFix(of: position, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    /// Writes the members `,"latitude":…,"longitude":…,"altitude":…,"angle":…,"speed":…,"satellites":…`, in
    /// this order, `null` for a value the tracker did not report: what every JSON view of a position shares.
    static func writeFix(of position: LivePosition, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(",\"latitude\":")
        Self.writeNumber(position.latitude, into: &buffer)
        buffer.writeStaticString(",\"longitude\":")
        Self.writeNumber(position.longitude, into: &buffer)
        buffer.writeStaticString(",\"altitude\":")
        Self.writeNumber(position.altitude, into: &buffer)
        buffer.writeStaticString(",\"angle\":")
        Self.writeNumber(position.angle, into: &buffer)
        buffer.writeStaticString(",\"speed\":")
        Self.writeNumber(position.speed, into: &buffer)
        buffer.writeStaticString(",\"satellites\":")
        Self.writeInteger(position.satellites, into: &buffer)
    }
}
