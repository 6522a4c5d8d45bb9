extension JSONReader {
    /// Reads the string at the cursor (its opening `"`). A string without escapes is only located, not copied.
    mutating func readString() throws(Reason) -> StringToken {
        let quote = self.offset
        self.offset += 1
        let start = self.offset
        self.skipPlainStringBytes()
        while self.offset < self.bytes.count {
            let byte = self.bytes[self.offset]
            if byte == Byte.quote {
                self.offset += 1
                return StringToken(source: start..<(self.offset - 1), decoded: nil)
            }
            if byte == Byte.backslash { return try self.readEscapedString(quote: quote) }
            if byte < 0x20 { throw self.syntaxError(expected: "a string character (control characters are escaped)") }
            self.offset += 1
        }
        throw self.syntaxError(expected: "'\"' to close the string that starts at byte \(quote)")
    }

    /// Moves the cursor over string bytes that need no attention, eight at a time, stopping at or shortly
    /// before the first `"`, `\` or control character (SWAR: the classic "has a zero byte" test, on the bytes
    /// XOR-ed with `"` and with `\`, and "has a byte less than 0x20").
    private mutating func skipPlainStringBytes() {
        guard let base = self.bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while self.offset + 8 <= self.bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + self.offset).loadUnaligned(as: UInt64.self))
            let quotes = word ^ (ones &* UInt64(Byte.quote))
            let backslashes = word ^ (ones &* UInt64(Byte.backslash))
            let special =
                ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes) | ((word &- ones &* 0x20) & ~word)
            if special & highs != 0 {
                // The lowest flagged byte is exact (the first in memory, as the word is little-endian); the byte
                // loop takes it from there.
                self.offset += (special & highs).trailingZeroBitCount / 8
                return
            }
            self.offset += 8
        }
    }

    /// Goes on reading the string that starts at `quote`, the cursor at its first `\`.
    private mutating func readEscapedString(quote: Int) throws(Reason) -> StringToken {
        let start = quote + 1
        var decoded: [UInt8] = []
        decoded.reserveCapacity(self.offset - start + 16)
        decoded.append(contentsOf: UnsafeBufferPointer(rebasing: self.bytes[start..<self.offset]))
        while self.offset < self.bytes.count {
            let byte = self.bytes[self.offset]
            if byte == Byte.quote {
                self.offset += 1
                return StringToken(source: start..<(self.offset - 1), decoded: decoded)
            }
            if byte < 0x20 { throw self.syntaxError(expected: "a string character (control characters are escaped)") }
            guard byte == Byte.backslash else {
                decoded.append(byte)
                self.offset += 1
                continue
            }
            self.offset += 1
            guard self.offset < self.bytes.count else { throw self.syntaxError(expected: "an escape after '\\'") }
            switch self.bytes[self.offset] {
            case Byte.quote: decoded.append(Byte.quote)
            case Byte.backslash: decoded.append(Byte.backslash)
            case Byte.slash: decoded.append(Byte.slash)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(Byte.newline)
            case UInt8(ascii: "r"): decoded.append(Byte.carriageReturn)
            case UInt8(ascii: "t"): decoded.append(Byte.tab)
            case UInt8(ascii: "u"):
                self.offset += 1
                Self.appendUTF8(try self.readEscapedScalar(), to: &decoded)
                continue
            default:
                throw self.syntaxError(expected: "one of \" \\ / b f n r t u after '\\'")
            }
            self.offset += 1
        }
        throw self.syntaxError(expected: "'\"' to close the string that starts at byte \(quote)")
    }

    /// Reads the `XXXX` of a `\uXXXX` escape, the cursor after the `u`, and for a high surrogate the
    /// `\uXXXX` of the low surrogate that must follow.
    private mutating func readEscapedScalar() throws(Reason) -> UInt32 {
        let unit = try self.readHex4()
        switch unit {
        case 0xD800...0xDBFF:
            guard self.offset + 1 < self.bytes.count, self.bytes[self.offset] == Byte.backslash,
                self.bytes[self.offset + 1] == UInt8(ascii: "u")
            else {
                throw self.syntaxError(expected: "'\\u' and a low surrogate after the high surrogate escape")
            }
            self.offset += 2
            let lowStart = self.offset
            let low = try self.readHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw self.syntaxError(expected: "a low surrogate DC00-DFFF after a high surrogate", at: lowStart)
            }
            return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            throw self.syntaxError(expected: "a \\u escape that is not a lone low surrogate", at: self.offset - 4)
        default:
            return unit
        }
    }

    /// Four hexadecimal digits at the cursor.
    private mutating func readHex4() throws(Reason) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard self.offset < self.bytes.count else { throw self.syntaxError(expected: "4 hexadecimal digits") }
            let byte = self.bytes[self.offset]
            let digit: UInt8
            switch byte {
            case Byte.zero...Byte.nine: digit = byte &- Byte.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: throw self.syntaxError(expected: "4 hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
            self.offset += 1
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            bytes.append(UInt8(scalar))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | scalar >> 6))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | scalar >> 12))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | scalar >> 18))
            bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
