import NIOCore

/// Whole server-to-client WebSocket frames (RFC 6455 §5.2) in one `ByteBuffer` each: header and payload, never
/// masked (only clients mask).
///
/// The live server writes these bytes to the channel itself, past any frame encoder, so that one position
/// frame is built once and the same buffer is written to every subscriber: no per-delivery header, copy or
/// allocation.
enum ServerFrame {
    /// The opcodes the server sends.
    enum Opcode: UInt8 {
        case text = 0x1
        case close = 0x8
        case pong = 0xA
    }

    /// The longest header of an unmasked frame: 2 bytes, then 8 for a 64-bit length.
    static let maxHeaderLength = 10
    /// A control frame's payload is at most 125 bytes (RFC 6455 §5.5).
    static let maxControlPayload = 125

    /// A final frame of `opcode` whose payload `writePayload` appends to the buffer it is given; `capacity`
    /// is a guess of the payload's size.
    static func make(
        _ opcode: Opcode,
        capacity: Int,
        allocator: ByteBufferAllocator = ByteBufferAllocator(),
        _ writePayload: (inout ByteBuffer) -> Void
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: Self.maxHeaderLength + capacity)
        // Room for the longest header in front of the payload; the real one is set right before it afterwards.
        buffer.moveWriterIndex(forwardBy: Self.maxHeaderLength)
        buffer.moveReaderIndex(forwardBy: Self.maxHeaderLength)
        writePayload(&buffer)
        let length = buffer.readableBytes
        let start: Int
        switch length {
        case 0...125:
            start = Self.maxHeaderLength - 2
            buffer.setInteger(UInt8(length), at: start + 1)
        case 126...0xFFFF:
            start = Self.maxHeaderLength - 4
            buffer.setInteger(UInt8(126), at: start + 1)
            buffer.setInteger(UInt16(length), at: start + 2)
        default:
            start = 0
            buffer.setInteger(UInt8(127), at: start + 1)
            buffer.setInteger(UInt64(length), at: start + 2)
        }
        buffer.setInteger(0x80 | opcode.rawValue, at: start)
        buffer.moveReaderIndex(to: start)
        return buffer
    }

    /// A close frame with `code` and `reason`, the reason cut (at a character boundary) to fit a control
    /// frame.
    static func close(code: UInt16, reason: String) -> ByteBuffer {
        var reasonBytes = 0
        for character in reason {
            let size = character.utf8.count
            guard reasonBytes + size <= Self.maxControlPayload - 2 else { break }
            reasonBytes += size
        }
        return Self.make(.close, capacity: 2 + reasonBytes) { buffer in
            buffer.writeInteger(code)
            buffer.writeBytes(reason.utf8.prefix(reasonBytes))
        }
    }

    /// The pong that answers a ping carrying `data` (at most 125 bytes, as the decoder checks).
    static func pong(_ data: ByteBuffer) -> ByteBuffer {
        Self.make(.pong, capacity: data.readableBytes) { buffer in
            buffer.writeImmutableBuffer(data)
        }
    }
}
