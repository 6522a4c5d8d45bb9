/// Decimal text of unsigned integers, written into raw memory: a stream id's two numbers, a RESP header's
/// count and lengths.
enum DecimalDigits {
    /// The most bytes a `UInt64` takes.
    static let maxCount = 20

    /// Writes `value` in decimal at `start` of `buffer` (which must have room: at most ``maxCount`` bytes);
    /// returns the offset after it.
    static func write(_ value: UInt64, into buffer: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        // Right to left into a scratch of 20 bytes (the most a UInt64 takes), two digits per division by a
        // constant, then moved into place: one pass, where counting the digits first took a second.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { scratch in
            var position = Self.maxCount
            var value = value
            while value >= 100 {
                let pair = UInt8(truncatingIfNeeded: value % 100)
                value /= 100
                position -= 2
                scratch[position] = UInt8(ascii: "0") + pair / 10
                scratch[position + 1] = UInt8(ascii: "0") + pair % 10
            }
            if value >= 10 {
                position -= 2
                scratch[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / 10)
                scratch[position + 1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
            } else {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value)
            }
            let count = Self.maxCount - position
            buffer.baseAddress!.advanced(by: start).copyMemory(from: scratch.baseAddress! + position, byteCount: count)
            return start + count
        }
    }
}
