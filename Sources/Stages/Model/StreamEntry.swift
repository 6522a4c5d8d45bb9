/// One entry of the telemetry stream (CONTRACT §1), as read with `XREADGROUP` or `XCLAIM`.
///
/// - Important: The fields are packed into one byte array — per field its name's and its value's byte
///   counts (`UInt32` each, native order), then the name, then the value — so that reading an entry costs
///   one allocation for all its fields, not one per field. ``fields`` unpacks them;
///   ``withValues(of:_:_:)`` reads values in place.
public struct StreamEntry: Sendable, Hashable {
    /// The entry's stream id, e.g. `1714667812123-0`.
    public var id: StreamID
    /// How many times this entry has been delivered to a consumer of the group, this delivery included.
    public var deliveries: Int
    private var packed: [UInt8]

    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: [UInt8]

        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public init(id: StreamID, fields: [Field], deliveries: Int = 1) {
        let byteCount = fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.count }
        let packed = Packer.pack(packedCount: Packer.packedCount(fields: fields.count, byteCount: byteCount)) {
            packer in
            for field in fields {
                var name = field.name
                name.withUTF8 { name in
                    field.value.withUnsafeBytes { packer.append(name: UnsafeRawBufferPointer(name), value: $0) }
                }
            }
        }
        self.init(id: id, packed: packed, deliveries: deliveries)
    }

    init(id: StreamID, packed: [UInt8], deliveries: Int = 1) {
        self.id = id
        self.packed = packed
        self.deliveries = deliveries
    }

    /// The entry's fields in stream order; Redis values are bytes (names that are not UTF-8 are repaired).
    public var fields: [Field] {
        self.packed.withUnsafeBufferPointer { bytes in
            var fields: [Field] = []
            Self.forEachField(in: bytes) { name, value in
                fields.append(Field(name: String(decoding: name, as: UTF8.self), value: Array(value)))
                return true
            }
            return fields
        }
    }

    /// The value of the first field named `name`.
    public func value(of name: String) -> [UInt8]? {
        self.withValues(of: name, name) { value, _ in value.map { Array($0) } }
    }

    /// Calls `body` with the values of the first fields named `first` and `second` (nil where there is none),
    /// read in place: the bytes are valid only during the call.
    func withValues<Result, Failure: Error>(
        of first: String,
        _ second: String,
        _ body: (UnsafeBufferPointer<UInt8>?, UnsafeBufferPointer<UInt8>?) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try self.packed.withUnsafeBufferPointer { (bytes) throws(Failure) -> Result in
            var values: (UnsafeBufferPointer<UInt8>?, UnsafeBufferPointer<UInt8>?)
            var first = first
            var second = second
            first.withUTF8 { first in
                second.withUTF8 { second in
                    Self.forEachField(in: bytes) { name, value in
                        if values.0 == nil, name.elementsEqual(bytes: first) { values.0 = value }
                        if values.1 == nil, name.elementsEqual(bytes: second) { values.1 = value }
                        return values.0 == nil || values.1 == nil
                    }
                }
            }
            return try body(values.0, values.1)
        }
    }

    /// Calls `body` with each field's name and value in `packed`, in order, until it returns false.
    private static func forEachField(
        in packed: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool
    ) {
        let raw = UnsafeRawBufferPointer(packed)
        var offset = 0
        while offset < packed.count {
            let nameCount = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let valueCount = Int(raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            let nameStart = offset + 8
            let valueStart = nameStart + nameCount
            offset = valueStart + valueCount
            let name = UnsafeBufferPointer(rebasing: packed[nameStart..<valueStart])
            guard body(name, UnsafeBufferPointer(rebasing: packed[valueStart..<offset])) else { return }
        }
    }

    /// Packs fields as ``StreamEntry`` keeps them, into one array of the exact size.
    struct Packer {
        private let bytes: UnsafeMutableRawBufferPointer
        private var offset = 0

        /// The bytes that `fields` fields take packed, when their names and values take `byteCount` in all.
        static func packedCount(fields: Int, byteCount: Int) -> Int { 8 * fields + byteCount }

        /// The array that `body` packs exactly `packedCount` bytes into.
        static func pack(packedCount: Int, _ body: (inout Packer) -> Void) -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: packedCount) { buffer, count in
                var packer = Packer(bytes: UnsafeMutableRawBufferPointer(buffer))
                body(&packer)
                precondition(packer.offset == packedCount, "fields packed into other than the bytes counted")
                count = packer.offset
            }
        }

        mutating func append(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
            self.bytes.storeBytes(of: UInt32(name.count), toByteOffset: self.offset, as: UInt32.self)
            self.bytes.storeBytes(of: UInt32(value.count), toByteOffset: self.offset + 4, as: UInt32.self)
            self.offset += 8
            self.append(name)
            self.append(value)
        }

        private mutating func append(_ part: UnsafeRawBufferPointer) {
            guard !part.isEmpty else { return }
            UnsafeMutableRawBufferPointer(rebasing: self.bytes[self.offset..<(self.offset + part.count)])
                .copyMemory(from: part)
            self.offset += part.count
        }
    }
}
