import Stages
import Testing

@Suite("PostgresInterval", .timeLimit(.minutes(1)))
struct PostgresIntervalTests {
    @Test(
        "a duration is H:MM:SS with microseconds when it has any",
        arguments: [
            (Duration.seconds(86_400), "24:00:00"),
            (.seconds(6 * 3600), "6:00:00"),
            (.seconds(90), "0:01:30"),
            (.milliseconds(1500), "0:00:01.500000"),
            (.nanoseconds(2_000_001_999), "0:00:02.000001"),
            (.seconds(400 * 86_400 + 3599), "9600:59:59"),
            (.seconds(-5), "0:00:00"),
        ]
    )
    func formats(duration: Duration, text: String) {
        #expect(PostgresInterval.text(duration) == text)
    }
}
