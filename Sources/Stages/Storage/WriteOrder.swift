/// The order in which ``PositionWriter`` writes a batch: by `(device_id, ts)`, `device_id` compared by its
/// bytes (the `positions` table's collation is "C"), so concurrent writers take row locks in one order
/// and each device's rows reach the index together.
///
/// Sorted through keys, not by comparing the positions: each key holds the id's first 16 bytes as two
/// big-endian integers (zero-padded: ids are printable ASCII, so a shorter id still sorts first), the
/// time and the index. Most comparisons are then three integer compares, where comparing `String`s and
/// reading each position through its index took about 2.5 % of durable-write's CPU; ids longer than
/// 16 bytes with the same first 16 are compared whole.
enum WriteOrder {
    private struct Key {
        var high: UInt64
        var low: UInt64
        var timestamp: Int64
        var index: Int32
        var isLong: Bool
    }

    /// The indices of `entries` in write order.
    static func indices(of entries: [PositionEntry]) -> [Int] {
        entries.withUnsafeBufferPointer { rows in
            var keys = rows.indices.map { index in
                let position = UnsafePointer(rows.baseAddress! + index)
                var id = position.pointee.position.deviceID
                return id.withUTF8 { bytes in
                    Key(
                        high: Self.bigEndianWord(bytes, from: 0),
                        low: Self.bigEndianWord(bytes, from: 8),
                        timestamp: position.pointee.position.timestamp,
                        index: Int32(index),
                        isLong: bytes.count > 16
                    )
                }
            }
            keys.sort { a, b in
                if a.high != b.high { return a.high < b.high }
                if a.low != b.low { return a.low < b.low }
                if a.isLong || b.isLong {
                    let (x, y) = (rows[Int(a.index)].position.deviceID, rows[Int(b.index)].position.deviceID)
                    if x != y { return Self.bytesPrecede(x, y) }
                }
                return a.timestamp < b.timestamp
            }
            return keys.map { Int($0.index) }
        }
    }

    /// Bytes `offset..<offset + 8` of `bytes` (zeros past the end) as a big-endian integer.
    private static func bigEndianWord(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int) -> UInt64 {
        var word: UInt64 = 0
        for index in offset..<offset + 8 {
            word = word << 8 | (index < bytes.count ? UInt64(bytes[index]) : 0)
        }
        return word
    }

    /// Whether `x`'s UTF-8 precedes `y`'s, byte by byte.
    private static func bytesPrecede(_ x: String, _ y: String) -> Bool {
        x.utf8.lexicographicallyPrecedes(y.utf8)
    }
}
