/// Builds a one-dimensional PostgreSQL array in the binary wire format (what `array_recv` reads), so a
/// batch reaches the server without formatting numbers and times as text or parsing them back.
///
/// Layout, all integers big-endian: dimensions (1), has-null flag, element type OID, element count, lower
/// bound (1); then per element its length in bytes (−1 for NULL) and its bytes in the type's binary format.
struct BinaryArray {
    /// Element type OIDs (pg_type.oid) of the types `positions` uses.
    enum ElementType: UInt32 {
        case text = 25
        case int2 = 21
        case float4 = 700
        case float8 = 701
        case timestamptz = 1184
        case jsonb = 3802
    }

    /// µs between the Unix epoch and PostgreSQL's (2000-01-01T00:00:00Z), where binary timestamps count from.
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    private let elementType: ElementType
    private var elements: [UInt8] = []
    private var count: Int32 = 0
    private var hasNull = false

    /// The header's size: five 32-bit integers, written in place by ``finished()``.
    private static let headerSize = 20

    init(of elementType: ElementType, reservingBytes capacity: Int = 0) {
        self.elementType = elementType
        self.elements.reserveCapacity(Self.headerSize + capacity)
        self.elements.append(contentsOf: repeatElement(0, count: Self.headerSize))
    }

    mutating func appendNull() {
        self.count += 1
        self.hasNull = true
        self.put(Int32(-1))
    }

    mutating func append(text: String) {
        self.count += 1
        self.put(Int32(text.utf8.count))
        self.elements.append(contentsOf: text.utf8)
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

    /// A jsonb element: the format version (1) and the JSON text that `writeJSON` appends.
    mutating func append(jsonb writeJSON: (inout [UInt8]) -> Void) {
        self.count += 1
        let lengthAt = self.elements.count
        self.put(Int32(0))
        self.elements.append(1)
        writeJSON(&self.elements)
        let length = Int32(self.elements.count - lengthAt - 4).bigEndian
        withUnsafeBytes(of: length) { bytes in
            for index in 0..<4 { self.elements[lengthAt + index] = bytes[index] }
        }
    }

    /// The whole array: the header, written into the bytes reserved for it, and the elements (not copied).
    consuming func finished() -> [UInt8] {
        var array = self.elements
        let header: [Int32] = [1, self.hasNull ? 1 : 0, Int32(bitPattern: self.elementType.rawValue), self.count, 1]
        array.withUnsafeMutableBytes { bytes in
            for (index, value) in header.enumerated() {
                bytes.storeBytes(of: value.bigEndian, toByteOffset: 4 * index, as: Int32.self)
            }
        }
        return array
    }

    private mutating func put<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.bigEndian) { self.elements.append(contentsOf: $0) }
    }
}
