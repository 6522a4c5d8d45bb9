/// A position as a device's track holds it for timing: its fix, when it was received and its current
/// judgement. Small (40 bytes), since a track holds up to `late_window` of fixes per device.
public struct TrackFix: Sendable, Hashable {
    public var timestamp: Int64
    public var latitude: Double
    public var longitude: Double
    /// When it was received, µs since the epoch (for the `future` rule).
    public var receivedAt: Int64
    /// -1 when the tracker did not report it.
    var satellites: Int16
    /// The judgement of CONTRACT §6.2 in `ts` order; nil: not faulty.
    public internal(set) var fault: Fault?

    public init(_ fix: Fix, receivedAt: Int64) {
        self.timestamp = fix.timestamp
        self.latitude = fix.latitude
        self.longitude = fix.longitude
        self.receivedAt = receivedAt
        self.satellites = fix.satellites.map { Int16(clamping: $0) } ?? -1
        self.fault = nil
    }

    public var fix: Fix {
        Fix(
            timestamp: self.timestamp,
            latitude: self.latitude,
            longitude: self.longitude,
            satellites: self.satellites < 0 ? nil : Int(self.satellites)
        )
    }
}
