import Flow
import NIOCore

/// A stream entry as a tap shows it: its id, its delivery count and its fields, each value as a string
/// (bytes that are not UTF-8 are replaced), so a malformed entry shows as it arrived.
///
/// ```json
/// {"id":"1714667812123-0","deliveries":1,"fields":{"device_id":"356307042441013","payload":"{\"device_id\":…}"}}
/// ```
extension StreamEntry: CustomTapRepresentation {
    public var tapJSON: String {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"id\":")
        LiveJSON.writeString(self.id.description, into: &buffer)
        buffer.writeStaticString(",\"deliveries\":")
        buffer.writeString(String(self.deliveries))
        buffer.writeStaticString(",\"fields\":{")
        for (index, field) in self.fields.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            LiveJSON.writeString(field.name, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ":"))
            LiveJSON.writeString(String(decoding: field.value, as: UTF8.self), into: &buffer)
        }
        buffer.writeStaticString("}}")
        return String(buffer: buffer)
    }
}
