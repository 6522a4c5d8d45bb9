/// A `Duration` as PostgreSQL `interval` input text: `H:MM:SS.ffffff` (hours unbounded, microseconds).
public enum PostgresInterval {
    /// `duration` rounded down to the microsecond; a negative one is given as zero.
    public static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return "0:00:00" }
        let micros = attoseconds / 1_000_000_000_000
        let clock = "\(seconds / 3600):\(Self.twoDigits(seconds / 60 % 60)):\(Self.twoDigits(seconds % 60))"
        guard micros > 0 else { return clock }
        let fraction = String(micros)
        return clock + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
