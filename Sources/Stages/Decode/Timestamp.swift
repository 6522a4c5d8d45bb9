/// The ISO-8601 timestamps of the contracts, as `Int64` microseconds since 1970-01-01T00:00:00Z: parsed from
/// a payload's `timestamp` (CONTRACT §1) and formatted for the live protocol's `ts` (CONTRACT §5).
///
/// Pure arithmetic on the proleptic Gregorian calendar (days-from-civil), no Foundation, no time zone data.
public enum Timestamp {
    /// Why a text is not a timestamp.
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not the form `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`: at byte `offset`, `expected` was
        /// expected.
        case syntax(offset: Int, expected: String)
        /// Not a calendar date of the years 0001–9999, e.g. `2025-02-29` or `2026-13-01`.
        case impossibleDate(year: Int, month: Int, day: Int)
        /// An hour ≥ 24, a minute ≥ 60 or a second ≥ 60 (leap seconds are not accepted).
        case impossibleTime(hour: Int, minute: Int, second: Int)
        /// A UTC offset beyond ±23:59.
        case impossibleOffset(hours: Int, minutes: Int)
        /// A valid local time whose UTC instant falls outside the years 0001–9999, like
        /// `0001-01-01T00:30:00+01:00`.
        case outsideSupportedYears

        public var description: String {
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            switch self {
            case .syntax(let offset, let expected):
                return "at byte \(offset) expected \(expected)"
            case .impossibleDate(let year, let month, let day):
                let padded = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
                return "\(padded)-\(two(month))-\(two(day)) is not a calendar date"
            case .impossibleTime(let hour, let minute, let second):
                return "\(two(hour)):\(two(minute)):\(two(second)) is not a time of day"
            case .impossibleOffset(let hours, let minutes):
                return "the UTC offset \(two(hours)):\(two(minutes)) is beyond 23:59"
            case .outsideSupportedYears:
                return "in UTC it falls outside the years 0001-9999"
            }
        }
    }

    /// How many fractional digits ``format(_:precision:)`` writes.
    public enum Precision: Sendable {
        /// `2026-05-02T16:36:52.123Z`, the live protocol's `ts` (CONTRACT §5).
        case milliseconds
        /// `2026-05-02T16:36:52.123456Z`, every digit a position keeps.
        case microseconds
    }

    /// Microseconds since the epoch of an ISO-8601 timestamp with a `Z` or `±HH:MM` offset, like
    /// `2026-05-02T16:36:52.123Z` or `2026-05-02T18:36:52+02:00`.
    ///
    /// The fraction of a second is optional and has 1–9 digits; digits beyond the sixth are truncated (the
    /// instant is rounded down to the microsecond). The date must be a real calendar date of the years
    /// 0001–9999 (Gregorian leap years), the time within 00:00:00–23:59:59, the offset within ±23:59, and
    /// the instant in UTC within the years 0001–9999 too (so that ``format(_:precision:)`` gives it back).
    /// `T` and `Z` are upper case; nothing may precede or follow the timestamp.
    public static func parse(_ text: String) throws(ParseError) -> Int64 {
        var text = text
        let result = text.withUTF8 { utf8 in Result { () throws(ParseError) in try Self.parse(utf8: utf8) } }
        return try result.get()
    }

    /// ``parse(_:)`` on the timestamp's UTF-8.
    static func parse(utf8 text: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Int64 {
        var cursor = Cursor(text: text)
        let year = try cursor.digits(4, "a 4-digit year")
        try cursor.expect(UInt8(ascii: "-"), "'-' after the year")
        let month = try cursor.digits(2, "a 2-digit month")
        try cursor.expect(UInt8(ascii: "-"), "'-' after the month")
        let day = try cursor.digits(2, "a 2-digit day")
        try cursor.expect(UInt8(ascii: "T"), "'T' after the date")
        let hour = try cursor.digits(2, "a 2-digit hour")
        try cursor.expect(UInt8(ascii: ":"), "':' after the hour")
        let minute = try cursor.digits(2, "a 2-digit minute")
        try cursor.expect(UInt8(ascii: ":"), "':' after the minutes")
        let second = try cursor.digits(2, "2-digit seconds")

        // Fraction: 1–9 digits, kept to the microsecond; digits beyond the sixth are truncated.
        var fraction: Int64 = 0
        if cursor.peek() == UInt8(ascii: ".") {
            cursor.offset += 1
            var count = 0
            while let digit = cursor.peekDigit() {
                guard count < 9 else { throw cursor.error("'Z', '+' or '-' (at most 9 fractional digits)") }
                if count < 6 { fraction = fraction * 10 + Int64(digit) }
                count += 1
                cursor.offset += 1
            }
            guard count > 0 else { throw cursor.error("a digit after '.'") }
            for _ in count..<max(count, 6) { fraction *= 10 }
        }

        var offsetSeconds = 0
        switch cursor.peek() {
        case UInt8(ascii: "Z"):
            cursor.offset += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = cursor.peek() == UInt8(ascii: "-") ? -1 : 1
            cursor.offset += 1
            let hours = try cursor.digits(2, "a 2-digit offset hour")
            try cursor.expect(UInt8(ascii: ":"), "':' in the UTC offset")
            let minutes = try cursor.digits(2, "2-digit offset minutes")
            guard hours <= 23, minutes <= 59 else { throw .impossibleOffset(hours: hours, minutes: minutes) }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        default:
            throw cursor.error("'Z', '+' or '-' (a UTC offset)")
        }
        guard cursor.offset == text.count else { throw cursor.error("the end of the timestamp") }

        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysInMonth(month, year: year)).contains(day)
        else { throw .impossibleDate(year: year, month: month, day: day) }
        guard hour < 24, minute < 60, second < 60 else {
            throw .impossibleTime(hour: hour, minute: minute, second: second)
        }
        let days = Self.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        let microseconds = seconds * 1_000_000 + fraction
        guard Self.supported.contains(microseconds) else { throw .outsideSupportedYears }
        return microseconds
    }

    /// 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999999Z, the instants ``parse(_:)`` accepts.
    static let supported: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    /// `microseconds` since the epoch as ISO-8601 UTC: `2026-05-02T16:36:52.123Z` or, with
    /// `.microseconds`, `2026-05-02T16:36:52.123456Z`. Digits beyond the precision are truncated. Years
    /// outside 0000–9999 are written with a sign (`-0001`, `+10000`).
    public static func format(_ microseconds: Int64, precision: Precision = .milliseconds) -> String {
        let perDay: Int64 = 86_400_000_000
        var days = microseconds / perDay
        var ofDay = microseconds % perDay
        if ofDay < 0 {
            days -= 1
            ofDay += perDay
        }
        let (year, month, day) = Self.civilFromDays(days)
        let second = ofDay / 1_000_000
        let fraction = ofDay % 1_000_000
        var text: String
        if (0...9999).contains(year) {
            text = ""
        } else {
            text = year < 0 ? "-" : "+"
        }
        let fractionDigits = precision == .milliseconds ? 3 : 6
        let fixed = String(unsafeUninitializedCapacity: 4 + 21 + fractionDigits) { buffer in
            var index = 0
            func put(_ value: Int64, digits: Int) {
                var value = value
                for position in stride(from: index + digits - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                index += digits
            }
            func put(_ byte: Unicode.Scalar) {
                buffer[index] = UInt8(ascii: byte)
                index += 1
            }
            if (0...9999).contains(year) { put(year, digits: 4) }
            put("-")
            put(month, digits: 2)
            put("-")
            put(day, digits: 2)
            put("T")
            put(second / 3600, digits: 2)
            put(":")
            put(second / 60 % 60, digits: 2)
            put(":")
            put(second % 60, digits: 2)
            put(".")
            put(precision == .milliseconds ? fraction / 1000 : fraction, digits: fractionDigits)
            put("Z")
            return index
        }
        if !(0...9999).contains(year) {
            let magnitude = String(year.magnitude)
            text += String(repeating: "0", count: max(0, 4 - magnitude.count)) + magnitude
        }
        text += fixed
        return text
    }

    // MARK: Calendar

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: Self.isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let days = days + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

extension Timestamp {
    /// Reads a timestamp's fixed fields left to right.
    private struct Cursor {
        let text: UnsafeBufferPointer<UInt8>
        var offset = 0

        func peek() -> UInt8? {
            self.offset < self.text.count ? self.text[self.offset] : nil
        }

        func peekDigit() -> Int? {
            guard let byte = self.peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            return Int(byte - UInt8(ascii: "0"))
        }

        func error(_ expected: String) -> ParseError {
            .syntax(offset: self.offset, expected: expected)
        }

        mutating func digits(_ count: Int, _ expected: String) throws(ParseError) -> Int {
            var value = 0
            for _ in 0..<count {
                guard let digit = self.peekDigit() else { throw self.error(expected) }
                value = value * 10 + digit
                self.offset += 1
            }
            return value
        }

        mutating func expect(_ byte: UInt8, _ expected: String) throws(ParseError) {
            guard self.peek() == byte else { throw self.error(expected) }
            self.offset += 1
        }
    }
}
