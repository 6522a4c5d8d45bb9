import Testing

@testable import Pipelines

@Suite("Durations and key suggestions", .timeLimit(.minutes(1)))
struct DurationParsingTests {
    @Test(
        "durations in ms, s, m and h, with decimals",
        arguments: [
            ("250ms", Duration.milliseconds(250)),
            ("1s", .seconds(1)),
            ("30s", .seconds(30)),
            ("2m", .seconds(120)),
            ("1h", .seconds(3600)),
            ("1.5s", .milliseconds(1500)),
            ("0.25h", .seconds(900)),
            ("0.1s", .milliseconds(100)),
            ("1.5ms", .microseconds(1500)),
            ("0s", .zero),
            ("007ms", .milliseconds(7)),
        ]
    )
    func parses(text: String, expected: Duration) {
        #expect(ConfigurationValue<Duration>.parseDuration(text) == expected)
    }

    @Test(
        "compress_after and retention: off, or a duration > 0, also in days",
        arguments: [
            ("off", Duration?.none),
            ("7d", .some(.seconds(7 * 86_400))),
            ("1.5d", .some(.seconds(36 * 3600))),
            ("12h", .some(.seconds(12 * 3600))),
            ("90m", .some(.seconds(5400))),
        ]
    )
    func durationOrOff(text: String, expected: Duration?) {
        #expect(ConfigurationValue<Duration?>.durationOrOff.parse(text) == .some(expected))
    }

    @Test("not off nor a duration > 0", arguments: ["", "0d", "0s", "Off", "none", "false", "d", "-1d", "7 d", "1w"])
    func notDurationOrOff(text: String) {
        #expect(ConfigurationValue<Duration?>.durationOrOff.parse(text) == nil)
    }

    @Test(
        "anything else is not a duration",
        arguments: [
            "", "s", "1", "30", "-1s", "+1s", "1 s", " 1s", "1s ", "1sec", "1S", "1d", "1us", "1.s", ".5s", "1..5s",
            "1.2.3s", "1e3ms", "1,5s", "99999999999999999999h", "9223372036854775807s",
        ]
    )
    func rejects(text: String) {
        #expect(ConfigurationValue<Duration>.parseDuration(text) == nil)
    }

    @Test("zero passes a plain duration but not one that must be positive")
    func positive() {
        #expect(ConfigurationValue<Duration>.duration(positive: false).parse("0ms") == .zero)
        #expect(ConfigurationValue<Duration>.duration(positive: true).parse("0ms") == nil)
        #expect(ConfigurationValue<Duration>.duration(positive: true).parse("1ms") == .milliseconds(1))
    }

    @Test(
        "did-you-mean picks a close key, or none",
        arguments: [
            ("bach", "batch"), ("btach", "batch"), ("BATCH", "batch"), ("read-count", "read_count"),
            ("claimidle", "claim_idle"), ("xyz", nil), ("foo", nil), ("stream_name", nil),
        ] as [(String, String?)]
    )
    func suggestions(name: String, expected: String?) {
        let known = ["enabled", "stream", "group", "read_count", "claim_idle", "batch", "block", "writers"]
        #expect(KeySuggestion.closest(to: name, in: known) == expected)
    }
}
