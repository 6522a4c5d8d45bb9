/// Random JSON number texts (RFC 8259 §6 grammar): integers, fractions, exponents, texts near the limits of
/// a double (largest, smallest normal, subnormals, overflow to infinity, underflow to zero) and texts with
/// more digits than a double holds.
enum NumberTexts {
    /// Texts at the edges: each is valid JSON number text.
    static let edgeCases = [
        "0", "-0", "0.0", "-0.0", "0e0", "-0E-0", "0e999999999", "1", "-1", "1e0", "1E+0",
        "9007199254740992", "9007199254740993", "-9007199254740993", "18446744073709551615",
        "18446744073709551616", "123456789012345678901234567890", "0.1", "0.30000000000000004",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309", "-1e309",
        "1e400", "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9406564584124654e-324", "5e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "-1e-400", "1e22", "1e23", "1e-22",
        "1e-23", "9007199254740991e22", "9007199254740991e-22", "900719925474099.1e1", "0.000000000000000000001e21",
        "1000000000000000000000000000000e-30", "1e1000000", "1e-1000000", "1e0000000000000000000001",
        "89.99999999999999999999", "90.00000000000000000001", "90.0000000000000142", "90.0000000000000143",
        "-180.00000000000001", "179.99999999999999", "100000.00000000001", "360.00000000000006",
        "2000.0000000000002", "255", "255.0", "2.55e2", "25.5e1", "256", "2", "2.000000000000000000001",
        "1.5", "11.5", "1.1e1", "110e-1", "1e-5", "1.2e+20",
    ]

    /// Any valid number text, of any size.
    static func any(_ random: inout SplitMix) -> String {
        if random.chance(0.15) { return Self.edgeCases[random.below(Self.edgeCases.count)] }
        var text = random.chance(0.25) ? "-" : ""
        if random.chance(0.3) {
            text += "0"
        } else {
            text += String(random.below(9) + 1) + Self.digits(random.below(random.chance(0.8) ? 6 : 30), &random)
        }
        if random.chance(0.4) { text += "." + Self.digits(random.below(random.chance(0.8) ? 8 : 30) + 1, &random) }
        if random.chance(0.35) {
            text += random.chance(0.5) ? "e" : "E"
            text += ["", "+", "-"][random.below(3)]
            text += Self.digits(random.below(random.chance(0.9) ? 3 : 9) + 1, &random)
        }
        return text
    }

    /// A valid number text whose nearest double is in `range` (finite).
    static func within(_ range: ClosedRange<Double>, _ random: inout SplitMix) -> String {
        switch random.below(10) {
        case 0:
            let bound = random.chance(0.5) ? range.lowerBound : range.upperBound
            return Self.integer(Int(bound), &random)
        case 1...5:
            let value = random.uniform(range.lowerBound, range.upperBound)
            if random.chance(0.5) { return "\(value)" }
            let integral = Int(value)
            let fraction = Self.digits(random.below(18), &random)
            var text = (value < 0 ? "-" : "") + String(integral.magnitude) + (fraction.isEmpty ? "" : "." + fraction)
            if text == "-0" || Double(text).map(range.contains) != true { text = String(integral) }
            return text
        default:
            for _ in 0..<20 {
                let text = Self.any(&random)
                if let value = Double(text), range.contains(value) { return text }
            }
            return "0"
        }
    }

    /// `value` written in one of the forms of an integral number: `11`, `11.0`, `1.1e1`, `110e-1`, `-0`.
    static func integer(_ value: Int, _ random: inout SplitMix) -> String {
        let sign = value < 0 ? "-" : ""
        let digits = String(value.magnitude)
        switch random.below(6) {
        case 0: return "\(sign)\(digits).\(String(repeating: "0", count: random.below(4) + 1))"
        case 1:
            let rest = digits.dropFirst()
            let mantissa = rest.isEmpty ? String(digits.prefix(1)) : "\(digits.prefix(1)).\(rest)"
            return "\(sign)\(mantissa)\(random.chance(0.5) ? "e" : "E+")\(digits.count - 1)"
        case 2:
            let zeros = random.below(5) + 1
            if value == 0 { return "0e-\(zeros)" }
            return "\(sign)\(digits)\(String(repeating: "0", count: zeros))e-\(zeros)"
        case 3: return value == 0 ? "-0" : "\(sign)\(digits)"
        default: return "\(sign)\(digits)"
        }
    }

    /// `count` random decimal digits, sometimes runs of one digit (rounding edges).
    static func digits(_ count: Int, _ random: inout SplitMix) -> String {
        let run: UInt8? =
            random.chance(0.2) ? [UInt8(ascii: "0"), UInt8(ascii: "9"), UInt8(ascii: "5")][random.below(3)] : nil
        var bytes: [UInt8] = []
        for _ in 0..<count { bytes.append(run ?? UInt8(ascii: "0") + UInt8(random.below(10))) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
