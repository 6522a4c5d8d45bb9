import NIOCore

/// Builds the data of a `COPY … FROM STDIN (FORMAT binary)`: the signature and header, then per row its
/// field count (an `Int16`) and its fields, written into ``fields``, then the trailer.
struct BinaryCopy {
    /// The file signature, then 32-bit flags (0) and header extension length (0).
    private static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0, 0, 0, 0, 0]

    var fields: BinaryValues

    init(reservingBytes capacity: Int = 0) {
        self.fields = BinaryValues(reservingBytes: Self.header.count + capacity + 2)
        self.fields.put(raw: Self.header)
    }

    /// The data, with the trailer. Mutating, not consuming: a consumed copy would share the buffer's storage,
    /// and writing the trailer would copy all the rows.
    mutating func finished() -> ByteBuffer {
        self.fields.put(Int16(-1))
        return self.fields.buffer
    }
}
