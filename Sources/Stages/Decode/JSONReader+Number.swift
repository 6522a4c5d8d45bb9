extension JSONReader {
    /// Reads the number at the cursor (a `-` or a digit): `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    ///
    /// Its value is the nearest double, computed exactly without allocating when the digits fit in 53 bits
    /// and the decimal exponent is within ±22 (Clinger's fast path: both factors are exact doubles, so one
    /// correctly rounded multiplication or division gives the correctly rounded result), and by the standard
    /// library's correctly rounded conversion of the source text otherwise. Too large a number is infinite.
    mutating func readNumber() throws(Reason) -> NumberToken {
        let start = self.offset
        let negative = self.bytes[self.offset] == Byte.minus
        if negative { self.offset += 1 }
        var mantissa: UInt64 = 0
        var exponent = 0
        var isFast = true

        guard let first = self.digit() else { throw self.syntaxError(expected: "a digit") }
        self.offset += 1
        if first == 0 {
            if self.digit() != nil {
                throw self.syntaxError(expected: "'.', 'e' or the end of the number (no leading zeros)")
            }
        } else {
            mantissa = UInt64(first)
            while let digit = self.digit() {
                Self.accumulate(digit, into: &mantissa, isFast: &isFast)
                self.offset += 1
            }
        }
        if self.offset < self.bytes.count, self.bytes[self.offset] == Byte.dot {
            self.offset += 1
            guard self.digit() != nil else { throw self.syntaxError(expected: "a digit after '.'") }
            while let digit = self.digit() {
                Self.accumulate(digit, into: &mantissa, isFast: &isFast)
                exponent -= 1
                self.offset += 1
            }
        }
        if self.offset < self.bytes.count, self.bytes[self.offset] | 0x20 == Byte.lowerE {
            self.offset += 1
            var exponentIsNegative = false
            if self.offset < self.bytes.count,
                self.bytes[self.offset] == Byte.minus || self.bytes[self.offset] == Byte.plus
            {
                exponentIsNegative = self.bytes[self.offset] == Byte.minus
                self.offset += 1
            }
            guard self.digit() != nil else { throw self.syntaxError(expected: "a digit in the exponent") }
            var written = 0
            while let digit = self.digit() {
                if written < 1_000_000 { written = written * 10 + Int(digit) }
                self.offset += 1
            }
            exponent += exponentIsNegative ? -written : written
        }

        let source = start..<self.offset
        let value: Double
        if isFast, mantissa == 0 {
            value = negative ? -0.0 : 0.0
        } else if isFast, exponent >= -22, exponent <= 22 {
            // Converted as signed (one instruction; the mantissa is below 2^53): unsigned takes several.
            let digits = Double(Int64(bitPattern: mantissa))
            let magnitude = exponent < 0 ? digits / Self.powersOfTen[-exponent] : digits * Self.powersOfTen[exponent]
            value = negative ? -magnitude : magnitude
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[source]), as: UTF8.self)
            value = Double(text) ?? .nan
        }
        return NumberToken(source: source, value: value)
    }

    /// The decimal digit at the cursor, if any.
    private func digit() -> UInt8? {
        guard self.offset < self.bytes.count else { return nil }
        let digit = self.bytes[self.offset] &- Byte.zero
        return digit < 10 ? digit : nil
    }

    /// Appends `digit` to `mantissa` while it stays below 2^53; past that, the fast path is off.
    private static func accumulate(_ digit: UInt8, into mantissa: inout UInt64, isFast: inout Bool) {
        // 900_719_925_474_098 * 10 + 9 < 2^53 = 9_007_199_254_740_992
        if mantissa <= 900_719_925_474_098 {
            mantissa = mantissa * 10 + UInt64(digit)
        } else {
            isFast = false
        }
    }

    /// 10^0 … 10^22, all exact doubles.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
