import NIOCore

/// Values in PostgreSQL's binary format, each preceded by its length in bytes (−1 for NULL): the layout of
/// a binary array's elements (``BinaryArray``) and of a binary `COPY` row's fields (``BinaryCopy``).
/// Integers are big-endian. Written into a NIO `ByteBuffer`, a run of values at a time through one
/// ``BinaryValueWriter`` (``write(maximumBytes:_:)``): each of the buffer's own writes pays an exclusivity
/// check of its storage, and a batch of 5,000 rows makes some 125,000 integer writes.
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

    /// Appends what `body` writes, at most `maximumBytes` (more traps: never a write past the space reserved).
    mutating func write(maximumBytes: Int, _ body: (inout BinaryValueWriter) -> Void) {
        var (count, hasNull): (Int32, Bool) = (0, false)
        self.buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maximumBytes) { space in
            var writer = BinaryValueWriter(space.baseAddress!, capacity: maximumBytes)
            body(&writer)
            (count, hasNull) = (writer.count, writer.hasNull)
            return writer.written
        }
        self.count += count
        self.hasNull = self.hasNull || hasNull
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

/// Writes values in PostgreSQL's binary format into space reserved by ``BinaryValues/write(maximumBytes:_:)``.
///
/// - Important: Every write checks that it fits the space reserved and traps if not: a wrong
///   `maximumBytes` is a crash naming it, never a write past the buffer.
struct BinaryValueWriter {
    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    /// Bytes written so far.
    private(set) var written = 0
    /// Values written, NULLs included.
    private(set) var count: Int32 = 0
    private(set) var hasNull = false

    init(_ base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    mutating func appendNull() {
        self.count += 1
        self.hasNull = true
        self.put(Int32(-1))
    }

    mutating func append(text: String?) {
        guard var text else { return self.appendNull() }
        self.count += 1
        text.withUTF8 { utf8 in
            self.put(Int32(utf8.count))
            self.put(bytes: UnsafeRawBufferPointer(utf8))
        }
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
        self.put(micros - BinaryValues.postgresEpochMicros)
    }

    /// A jsonb value: the format version (1) and the JSON text.
    mutating func append(jsonb json: UnsafeBufferPointer<UInt8>) {
        self.count += 1
        self.put(Int32(1 + json.count))
        self.put(UInt8(1))
        self.put(bytes: UnsafeRawBufferPointer(json))
    }

    /// Writes a bare integer, big-endian (a header or count, not a value).
    mutating func put<Value: FixedWidthInteger>(_ value: Value) {
        let size = MemoryLayout<Value>.size
        precondition(
            self.written + size <= self.capacity,
            "binary values: more written than the \(self.capacity) bytes reserved"
        )
        (self.base + self.written).storeBytes(of: value.bigEndian, as: Value.self)
        self.written += size
    }

    private mutating func put(bytes: UnsafeRawBufferPointer) {
        precondition(
            self.written + bytes.count <= self.capacity,
            "binary values: more written than the \(self.capacity) bytes reserved"
        )
        guard let source = bytes.baseAddress else { return }
        (self.base + self.written).copyMemory(from: source, byteCount: bytes.count)
        self.written += bytes.count
    }
}
