import Flow
import NIOCore

/// A position as a tap shows it: the payload's keys (CONTRACT §1), `timestamp` as ISO-8601 UTC to the
/// microsecond, every key present (`null` when the tracker did not report it), and `attributes` as the
/// column stores them (CONTRACT §2).
///
/// ```json
/// {"device_id":"356307042441013","timestamp":"2026-05-02T16:36:52.123000Z","latitude":54.687157,
///  "longitude":25.279652,"altitude":112,"angle":270,"speed":43,"satellites":11,"priority":0,
///  "attributes":{"16":"18446744073709551615","66":12870}}
/// ```
extension Position: CustomTapRepresentation {
    public var tapJSON: String {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(ascii: "{"))
        self.writeTapFields(into: &buffer)
        buffer.writeInteger(UInt8(ascii: "}"))
        return String(buffer: buffer)
    }

    /// Writes the members of ``tapJSON``, without the braces (for a type that adds its own members).
    func writeTapFields(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"device_id\":")
        LiveJSON.writeString(self.deviceID, into: &buffer)
        buffer.writeStaticString(",\"timestamp\":\"")
        buffer.writeString(Timestamp.format(self.timestamp, precision: .microseconds))
        buffer.writeInteger(UInt8(ascii: "\""))
        LiveJSON.writeFix(of: LivePosition(self), into: &buffer)
        buffer.writeStaticString(",\"priority\":")
        LiveJSON.writeInteger(self.priority, into: &buffer)
        buffer.writeStaticString(",\"attributes\":")
        _ = self.attributes.withJSON { buffer.writeBytes($0) }
    }
}
