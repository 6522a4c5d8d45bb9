import Flow
import NIOCore

/// A live position as a tap shows it: exactly as the live protocol sends it to browsers (CONTRACT §5).
extension LivePosition: CustomTapRepresentation {
    public var tapJSON: String {
        var buffer = ByteBuffer()
        LiveJSON.writePosition(self, into: &buffer)
        return String(buffer: buffer)
    }
}
