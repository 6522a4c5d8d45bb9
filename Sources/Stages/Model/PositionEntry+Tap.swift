import Flow
import NIOCore

/// A decoded entry as a tap shows it: the stream entry's id, then the position's members (see
/// ``Position``'s `tapJSON`), so that one line says which entry a position came from, and `fault` last
/// when it is faulty.
///
/// ```json
/// {"entry_id":"1714667812123-0","device_id":"356307042441013","timestamp":"2026-05-02T16:36:52.123000Z",…}
/// ```
extension PositionEntry: CustomTapRepresentation {
    public var tapJSON: String {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"entry_id\":")
        LiveJSON.writeString(self.entryID.description, into: &buffer)
        buffer.writeInteger(UInt8(ascii: ","))
        self.position.writeTapFields(into: &buffer)
        if let fault = self.fault {
            buffer.writeStaticString(",\"fault\":")
            LiveJSON.writeString(fault.rawValue, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
        return String(buffer: buffer)
    }
}
