import NIOCore

/// Values in PostgreSQL's binary format, each preceded by its length in bytes (−1 for NULL): the layout of
/// a binary array's elements (``BinaryArray``) and of a binary `COPY` row's fields (``BinaryCopy``).
/// Integers are big-endian. Written into a NIO `ByteBuffer`, whose integer writes store in place (a
/// batch of 2,000 rows makes some 40,000 of them).
struct BinaryValues {
    /// µs between the Unix epoch and PostgreSQL's (2000-01-01T00:00:00Z), where binary timestamps count from.
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    private(set) var buffer: ByteBuffer
    /// Values appended, NULLs included.
    private(set) var count: Int32 = 0
    private(set) var hasNull = false

    init(reservingBytes capacity: Int = 0) {
        self.buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// The bytes written, as an array.
    var bytes: [UInt8] { Array(self.buffer.readableBytesView) }

    mutating func appendNull() {
        self.count += 1
        self.hasNull = true
        self.put(Int32(-1))
    }

    mutating func append(text: String) {
        self.count += 1
        self.put(Int32(text.utf8.count))
        self.buffer.writeString(text)
    }

    /// A text value, or NULL.
    mutating func append(text: String?) {
        guard let text else { return self.appendNull() }
        self.append(text: text)
    }

    mutating func append(bool value: Bool) {
        self.count += 1
        self.put(Int32(1))
        self.put(UInt8(value ? 1 : 0))
    }

    mutating func append(float8 value: Double) {
        self.count += 1
        self.put(Int32(8))
        self.put(value.bitPattern)
    }

    mutating func append(float4 value: Double?) {
        guard let value else { return self.appendNull() }
        self.count += 1
        self.put(Int32(4))
        self.put(Float(value).bitPattern)
    }

    /// - Precondition: `value` fits a smallint (the decoder's ranges guarantee it for `positions`).
    mutating func append(int2 value: Int?) {
        guard let value else { return self.appendNull() }
        self.count += 1
        self.put(Int32(2))
        self.put(Int16(value))
    }

    /// `micros`: µs since the Unix epoch.
    mutating func append(timestamptz micros: Int64) {
        self.count += 1
        self.put(Int32(8))
        self.put(micros - Self.postgresEpochMicros)
    }

    /// A jsonb value: the format version (1) and the JSON text.
    mutating func append(jsonb json: UnsafeBufferPointer<UInt8>) {
        self.count += 1
        self.put(Int32(1 + json.count))
        self.put(UInt8(1))
        self.buffer.writeBytes(json)
    }

    /// Appends a bare integer (a header or count, not a value).
    mutating func put<Value: FixedWidthInteger>(_ value: Value) {
        self.buffer.writeInteger(value)
    }

    /// Appends bytes as they are (not a value).
    mutating func put(raw: some Sequence<UInt8>) {
        self.buffer.writeBytes(raw)
    }

    /// Writes a bare integer over bytes appended before.
    mutating func overwrite<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
        self.buffer.setInteger(value, at: self.buffer.readerIndex + offset)
    }
}
