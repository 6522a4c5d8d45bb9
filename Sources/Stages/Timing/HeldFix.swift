/// A fix as a device's track holds it: when and where, and its judgements (CONTRACT §6.2).
///
/// 32 bytes, since a track holds up to `late_window` of fixes per device (and race-timing up to
/// `window.max_positions` in all): the rules that judge a fix alone (`few-satellites`, `null-island`,
/// `future`) are judged once, when it is taken, so neither its satellites nor its `received_at` is kept.
public struct HeldFix: Sendable, Hashable {
    public let timestamp: Int64
    public let latitude: Double
    public let longitude: Double
    /// The first rule the fix breaks alone; nil when it breaks none (the `jump` rule may still hold).
    let ownFault: Fault?
    /// The judgement of CONTRACT §6.2 in `ts` order; nil: not faulty.
    public internal(set) var fault: Fault?

    init(_ fix: TrackFix, rules: FaultRules) {
        self.timestamp = fix.timestamp
        self.latitude = fix.fix.latitude
        self.longitude = fix.fix.longitude
        self.ownFault = rules.ownFault(of: fix.fix, receivedAt: fix.receivedAt)
        self.fault = nil
    }

    /// Its time and place, for the `jump` rule and the gates (satellites, judged already, left out).
    var location: Fix {
        Fix(timestamp: self.timestamp, latitude: self.latitude, longitude: self.longitude, satellites: nil)
    }
}
