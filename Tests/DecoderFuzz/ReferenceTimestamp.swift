/// CONTRACT §1's timestamp rules written again, independently of ``Timestamp``: the form
/// `YYYY-MM-DDTHH:MM:SS[.1-9 digits](Z|±HH:MM)`, a real Gregorian date of the years 0001–9999, a time of day
/// without leap seconds, an offset within ±23:59, the instant in UTC within the years 0001–9999, the fraction
/// truncated to the microsecond. Days are counted from 0001-01-01 by whole years and a month table (not by
/// the decoder's days-from-civil).
enum ReferenceTimestamp {
    /// The instant `text` names, in microseconds since 1970-01-01T00:00:00Z, or `nil` when it is not one.
    static func microseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        func byte(_ index: Int) -> Character? {
            index < bytes.count ? Character(Unicode.Scalar(bytes[index])) : nil
        }
        guard let year = number(0..<4), byte(4) == "-", let month = number(5..<7), byte(7) == "-",
            let day = number(8..<10), byte(10) == "T", let hour = number(11..<13), byte(13) == ":",
            let minute = number(14..<16), byte(16) == ":", let second = number(17..<19)
        else { return nil }
        var index = 19
        var fractionDigits: [UInt8] = []
        if byte(index) == "." {
            index += 1
            while index < bytes.count, (48...57).contains(bytes[index]) {
                fractionDigits.append(bytes[index] - 48)
                index += 1
            }
            guard (1...9).contains(fractionDigits.count) else { return nil }
        }
        var offsetMinutes = 0
        switch byte(index) {
        case "Z":
            index += 1
        case "+", "-":
            guard let hours = number((index + 1)..<(index + 3)), byte(index + 3) == ":",
                let minutes = number((index + 4)..<(index + 6)), hours <= 23, minutes <= 59
            else { return nil }
            offsetMinutes = (hours * 60 + minutes) * (byte(index) == "-" ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        var fraction: Int64 = 0
        for position in 0..<6 {
            fraction = fraction * 10 + Int64(position < fractionDigits.count ? fractionDigits[position] : 0)
        }
        guard (1...9999).contains(year), (1...12).contains(month), (1...Self.days(month, year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        return Self.instant(
            year: year,
            month: month,
            day: day,
            second: hour * 3600 + minute * 60 + second - offsetMinutes * 60,
            fraction: fraction
        )
    }

    /// Microseconds since the epoch of a date, `second` seconds into it (may be negative or past a day, from
    /// an offset), plus `fraction` microseconds; `nil` outside 0001-01-01T00:00:00Z … 9999-12-31T23:59:59.999999Z.
    static func instant(year: Int, month: Int, day: Int, second: Int, fraction: Int64) -> Int64? {
        let previous = year - 1
        var days = 365 * previous + previous / 4 - previous / 100 + previous / 400
        for earlier in 1..<month { days += Self.days(earlier, year) }
        days += day - 1
        let secondsSinceYearOne = Int64(days) * 86_400 + Int64(second)
        let lastSecond: Int64 = 3_652_059 * 86_400 - 1  // 9999-12-31T23:59:59 (3,652,059 days in 0001–9999)
        guard (0...lastSecond).contains(secondsSinceYearOne) else { return nil }
        return (secondsSinceYearOne - 719_162 * 86_400) * 1_000_000 + fraction  // 719,162 days before 1970
    }

    static func days(_ month: Int, _ year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
