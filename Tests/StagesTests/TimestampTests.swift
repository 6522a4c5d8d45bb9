import Stages
import Testing

@Suite("Timestamp: ISO-8601 parsing and formatting", .timeLimit(.minutes(1)))
struct TimestampTests {
    /// 2026-05-02T16:36:52.123Z.
    static let instant: Int64 = 1_777_739_812_123_000

    @Test(arguments: [
        "2026-05-02T16:36:52.123Z",
        "2026-05-02T18:36:52.123+02:00",
        "2026-05-02T14:06:52.123-02:30",
        "2026-05-03T16:35:52.123+23:59",
        "2026-05-01T16:37:52.123-23:59",
        "2026-05-02T16:36:52.123+00:00",
        "2026-05-02T16:36:52.123-00:00",
    ])
    func offsetsConvertToTheSameUTCInstant(_ text: String) throws {
        #expect(try Timestamp.parse(text) == Self.instant)
    }

    @Test(arguments: [
        ("2026-05-02T16:36:52Z", 0),
        ("2026-05-02T16:36:52.1Z", 100_000),
        ("2026-05-02T16:36:52.12Z", 120_000),
        ("2026-05-02T16:36:52.123Z", 123_000),
        ("2026-05-02T16:36:52.1234Z", 123_400),
        ("2026-05-02T16:36:52.12345Z", 123_450),
        ("2026-05-02T16:36:52.123456Z", 123_456),
        ("2026-05-02T16:36:52.1234567Z", 123_456),
        ("2026-05-02T16:36:52.12345678Z", 123_456),
        ("2026-05-02T16:36:52.123456789Z", 123_456),
        ("2026-05-02T16:36:52.999999999Z", 999_999),
        ("2026-05-02T16:36:52.000001Z", 1),
        ("2026-05-02T18:36:52.5+02:00", 500_000),
    ])
    func fractionalDigitsAreKeptToTheMicrosecond(_ text: String, _ microseconds: Int64) throws {
        #expect(try Timestamp.parse(text) == 1_777_739_812_000_000 + microseconds)
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.000001Z", 1),
        ("1969-12-31T23:59:59.999999Z", -1),
        ("1969-12-31T23:59:59.5Z", -500_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000),
        ("2000-03-01T00:00:00Z", 951_868_800_000_000),
        ("2024-02-29T12:00:00Z", 1_709_208_000_000_000),
        ("1900-03-01T00:00:00Z", -2_203_891_200_000_000),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000_000),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
        ("2038-01-19T03:14:08Z", 2_147_483_648_000_000),
    ])
    func knownInstants(_ text: String, _ microseconds: Int64) throws {
        #expect(try Timestamp.parse(text) == microseconds)
    }

    @Test(arguments: [
        ("2025-02-29T00:00:00Z", 2025, 2, 29),
        ("1900-02-29T00:00:00Z", 1900, 2, 29),
        ("2100-02-29T00:00:00Z", 2100, 2, 29),
        ("2026-02-30T00:00:00Z", 2026, 2, 30),
        ("2026-04-31T00:00:00Z", 2026, 4, 31),
        ("2026-06-31T00:00:00Z", 2026, 6, 31),
        ("2026-09-31T00:00:00Z", 2026, 9, 31),
        ("2026-11-31T00:00:00Z", 2026, 11, 31),
        ("2026-01-32T00:00:00Z", 2026, 1, 32),
        ("2026-13-01T00:00:00Z", 2026, 13, 1),
        ("2026-00-01T00:00:00Z", 2026, 0, 1),
        ("2026-01-00T00:00:00Z", 2026, 1, 0),
        ("0000-01-01T00:00:00Z", 0, 1, 1),
    ])
    func impossibleDatesAreRejected(_ text: String, _ year: Int, _ month: Int, _ day: Int) {
        #expect(throws: Timestamp.ParseError.impossibleDate(year: year, month: month, day: day)) {
            try Timestamp.parse(text)
        }
    }

    @Test(arguments: ["2024-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "1600-02-29T00:00:00Z", "2026-12-31T00:00:00Z"])
    func leapDaysAndMonthEndsAreAccepted(_ text: String) {
        #expect(throws: Never.self) { try Timestamp.parse(text) }
    }

    @Test(arguments: [
        ("2026-05-02T24:00:00Z", 24, 0, 0),
        ("2026-05-02T23:60:00Z", 23, 60, 0),
        ("2026-05-02T23:59:60Z", 23, 59, 60),
        ("2026-05-02T99:99:99Z", 99, 99, 99),
    ])
    func impossibleTimesAreRejected(_ text: String, _ hour: Int, _ minute: Int, _ second: Int) {
        #expect(throws: Timestamp.ParseError.impossibleTime(hour: hour, minute: minute, second: second)) {
            try Timestamp.parse(text)
        }
    }

    @Test(arguments: [
        ("2026-05-02T16:36:52+24:00", 24, 0),
        ("2026-05-02T16:36:52-24:00", 24, 0),
        ("2026-05-02T16:36:52+23:60", 23, 60),
        ("2026-05-02T16:36:52+99:00", 99, 0),
    ])
    func offsetsBeyond2359AreRejected(_ text: String, _ hours: Int, _ minutes: Int) {
        #expect(throws: Timestamp.ParseError.impossibleOffset(hours: hours, minutes: minutes)) {
            try Timestamp.parse(text)
        }
    }

    @Test(arguments: ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"])
    func instantsOutsideTheSupportedYearsAreRejected(_ text: String) {
        #expect(throws: Timestamp.ParseError.outsideSupportedYears) { try Timestamp.parse(text) }
    }

    @Test(arguments: [
        ("", 0, "a 4-digit year"),
        ("2026-05-02", 10, "'T' after the date"),
        ("2026-05-02t16:36:52Z", 10, "'T' after the date"),
        ("2026-05-02T16:36:52z", 19, "'Z', '+' or '-' (a UTC offset)"),
        ("2026-05-02T16:36:52.123", 23, "'Z', '+' or '-' (a UTC offset)"),
        ("2026-05-02T16:36:52.Z", 20, "a digit after '.'"),
        ("2026-05-02T16:36:52.1234567890Z", 29, "'Z', '+' or '-' (at most 9 fractional digits)"),
        ("2026-05-02T16:36:52Z ", 20, "the end of the timestamp"),
        (" 2026-05-02T16:36:52Z", 0, "a 4-digit year"),
        ("2026-5-02T16:36:52Z", 6, "a 2-digit month"),
        ("26-05-02T16:36:52Z", 2, "a 4-digit year"),
        ("+2026-05-02T16:36:52Z", 0, "a 4-digit year"),
        ("2026-05-02T16:36Z", 16, "':' after the minutes"),
        ("2026-05-02T16:36:52+0200", 22, "':' in the UTC offset"),
        ("2026-05-02T16:36:52+02", 22, "':' in the UTC offset"),
        ("2026-05-02T16:36:52+2:00", 21, "a 2-digit offset hour"),
        ("2026-05-02T16:36:52,123Z", 19, "'Z', '+' or '-' (a UTC offset)"),
        ("2026-05-02T16:36:52.123ZZ", 24, "the end of the timestamp"),
        ("2026-05-02T16:36:52\u{663}Z", 19, "'Z', '+' or '-' (a UTC offset)"),
    ])
    func syntaxErrorsSayWhereAndWhat(_ text: String, _ offset: Int, _ expected: String) {
        #expect(throws: Timestamp.ParseError.syntax(offset: offset, expected: expected)) { try Timestamp.parse(text) }
    }

    @Test(arguments: [
        (0, "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000000Z"),
        (1_777_739_812_123_000, "2026-05-02T16:36:52.123Z", "2026-05-02T16:36:52.123000Z"),
        (1_777_739_812_123_456, "2026-05-02T16:36:52.123Z", "2026-05-02T16:36:52.123456Z"),
        (1_777_739_812_999_999, "2026-05-02T16:36:52.999Z", "2026-05-02T16:36:52.999999Z"),
        (-1, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999999Z"),
        (951_782_400_000_000, "2000-02-29T00:00:00.000Z", "2000-02-29T00:00:00.000000Z"),
        (-62_135_596_800_000_000, "0001-01-01T00:00:00.000Z", "0001-01-01T00:00:00.000000Z"),
        (253_402_300_799_999_999, "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999999Z"),
        (253_402_300_800_000_000, "+10000-01-01T00:00:00.000Z", "+10000-01-01T00:00:00.000000Z"),
        (-62_135_596_800_000_001, "0000-12-31T23:59:59.999Z", "0000-12-31T23:59:59.999999Z"),
        (-62_167_219_200_000_001, "-0001-12-31T23:59:59.999Z", "-0001-12-31T23:59:59.999999Z"),
    ])
    func formatsUTCWithMillisecondsOrMicroseconds(_ microseconds: Int64, _ milliseconds: String, _ micro: String) {
        #expect(Timestamp.format(microseconds) == milliseconds)
        #expect(Timestamp.format(microseconds, precision: .milliseconds) == milliseconds)
        #expect(Timestamp.format(microseconds, precision: .microseconds) == micro)
    }

    @Test func formatsTheExtremesWithoutTrapping() {
        #expect(!Timestamp.format(.min).isEmpty)
        #expect(!Timestamp.format(.max, precision: .microseconds).isEmpty)
    }

    @Test(arguments: [
        "2026-05-02T16:36:52.123456Z",
        "2000-02-29T00:00:00.000000Z",
        "1969-12-31T23:59:59.999999Z",
        "0001-01-01T00:00:00.000000Z",
        "9999-12-31T23:59:59.999999Z",
        "1582-10-04T12:00:00.500000Z",
    ])
    func roundTripsThroughParseAndFormat(_ text: String) throws {
        #expect(Timestamp.format(try Timestamp.parse(text), precision: .microseconds) == text)
        let milliseconds = String(text.dropLast(4)) + "Z"
        #expect(Timestamp.format(try Timestamp.parse(milliseconds)) == milliseconds)
    }

    @Test func roundTripsAcrossTheSupportedYears() throws {
        // A deterministic sweep of instants across 0001–9999 (a linear congruential generator).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let lower: Int64 = -62_135_596_800_000_000
        let span = UInt64(253_402_300_799_999_999 - lower + 1)
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let instant = lower + Int64(state % span)
            let text = Timestamp.format(instant, precision: .microseconds)
            #expect(try Timestamp.parse(text) == instant, "\(text)")
        }
    }

    @Test func everyMonthFollowsThePreviousOne() throws {
        // Consecutive month starts are exactly the month's length apart, leap years included, 0001–9999.
        var previous = try Timestamp.parse("0001-01-01T00:00:00Z")
        var days = 31
        for year in 1...9999 {
            for month in 1...12 where !(year == 1 && month == 1) {
                let text = "\(Self.pad(year, 4))-\(Self.pad(month, 2))-01T00:00:00Z"
                let start = try Timestamp.parse(text)
                #expect(start - previous == Int64(days) * 86_400_000_000, "\(text)")
                previous = start
                days = Self.daysIn(month, year)
            }
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: width - digits.count) + digits
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
