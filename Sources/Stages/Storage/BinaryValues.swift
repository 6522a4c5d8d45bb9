/// Values in PostgreSQL's binary format, each preceded by its length in bytes (−1 for NULL): the layout of
/// a binary array's elements (``BinaryArray``) and of a binary `COPY` row's fields (``BinaryCopy``).
/// Integers are big-endian.
struct BinaryValues {
    /// µs between the Unix epoch and PostgreSQL's (2000-01-01T00:00:00Z), where binary timestamps count from.
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    private(set) var bytes: [UInt8] = []
    /// Values appended, NULLs included.
    private(set) var count: Int32 = 0
    private(set) var hasNull = false

    init(reservingBytes capacity: Int = 0) {
        self.bytes.reserveCapacity(capacity)
    }

    mutating func appendNull() {
        self.count += 1
        self.hasNull = true
        self.put(Int32(-1))
    }

    mutating func append(text: String) {
        self.count += 1
        self.put(Int32(text.utf8.count))
        self.bytes.append(contentsOf: text.utf8)
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

    /// A jsonb value: the format version (1) and the JSON text that `writeJSON` appends.
    mutating func append(jsonb writeJSON: (inout [UInt8]) -> Void) {
        self.count += 1
        let lengthAt = self.bytes.count
        self.put(Int32(0))
        self.bytes.append(1)
        writeJSON(&self.bytes)
        self.overwrite(Int32(self.bytes.count - lengthAt - 4), at: lengthAt)
    }

    /// Appends a bare integer (a header or count, not a value).
    mutating func put<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.bigEndian) { self.bytes.append(contentsOf: $0) }
    }

    /// Appends bytes as they are (not a value).
    mutating func put(raw: some Sequence<UInt8>) {
        self.bytes.append(contentsOf: raw)
    }

    /// Writes a bare integer over bytes appended before.
    mutating func overwrite<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
        withUnsafeBytes(of: value.bigEndian) { bytes in
            for index in 0..<bytes.count { self.bytes[offset + index] = bytes[index] }
        }
    }
}
