/// A position as race-timing takes it into a device's track: its fix and when it was received (µs since the
/// epoch, for the `future` rule). The track keeps it as a smaller ``HeldFix``.
public struct TrackFix: Sendable, Hashable {
    public var fix: Fix
    public var receivedAt: Int64

    public init(_ fix: Fix, receivedAt: Int64) {
        self.fix = fix
        self.receivedAt = receivedAt
    }

    public var timestamp: Int64 { self.fix.timestamp }
}
