/// Builds a one-dimensional PostgreSQL array in the binary wire format (what `array_recv` reads), so a
/// batch reaches the server without formatting numbers and times as text or parsing them back.
///
/// Layout, all integers big-endian: dimensions (1), has-null flag, element type OID, element count, lower
/// bound (1); then the elements as ``BinaryValues``.
struct BinaryArray {
    /// Element type OIDs (pg_type.oid) of the types `positions` uses.
    enum ElementType: UInt32 {
        case bool = 16
        case text = 25
        case int2 = 21
        case float4 = 700
        case float8 = 701
        case timestamptz = 1184
        case jsonb = 3802
    }

    private let elementType: ElementType
    /// The header's bytes (reserved, written by ``finished()``), then the elements.
    var elements: BinaryValues

    /// The header's size: five 32-bit integers.
    private static let headerSize = 20

    init(of elementType: ElementType, reservingBytes capacity: Int = 0) {
        self.elementType = elementType
        self.elements = BinaryValues(reservingBytes: Self.headerSize + capacity)
        self.elements.put(raw: repeatElement(0, count: Self.headerSize))
    }

    /// The whole array: the header, written into the bytes reserved for it, and the elements. Mutating, not
    /// consuming: a consumed copy would share the buffer's storage, and writing the header would copy it.
    mutating func finished() -> [UInt8] {
        let header: [Int32] = [
            1, self.elements.hasNull ? 1 : 0, Int32(bitPattern: self.elementType.rawValue), self.elements.count, 1,
        ]
        for (index, value) in header.enumerated() { self.elements.overwrite(value, at: 4 * index) }
        return self.elements.bytes
    }
}
