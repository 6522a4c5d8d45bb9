/// A fix as a device's track holds it: when and where, and its judgements (CONTRACT §6.2).
///
/// 24 bytes, since a track holds up to `late_window` of fixes per device (and race-timing up to
/// `window.max_positions` in all): the rules that judge a fix alone (`few-satellites`, `null-island`,
/// `future`) are judged once, when it is taken, so neither its satellites nor its `received_at` is kept;
/// `ts` and both judgements share one word.
public struct HeldFix: Sendable, Hashable {
    public let latitude: Double
    public let longitude: Double
    /// Bits 0–58: `ts` in µs plus ``timestampBias``. Bits 59–61: the rule it breaks alone (0: none, else its
    /// index in `Fault.allCases` + 1). Bit 62: `jump` in `ts` order.
    private var packed: UInt64

    /// 2⁵⁸ µs, about 9,100 years: the years 0001–9999 (all a position's `ts` can be) fit in 59 bits.
    static let timestampBias: Int64 = 1 << 58
    private static let timestampMask: UInt64 = (1 << 59) - 1
    private static let ownFaultShift: UInt64 = 59
    private static let jumpBit: UInt64 = 1 << 62

    init(_ fix: TrackFix, rules: FaultRules) {
        self.latitude = fix.fix.latitude
        self.longitude = fix.fix.longitude
        // A `ts` outside the years 0001–9999 (the decoder rejects it) is held at the nearest end of them.
        let biased = min(max(fix.timestamp, -Self.timestampBias), Self.timestampBias - 1) + Self.timestampBias
        self.packed = UInt64(biased)
        if let own = rules.ownFault(of: fix.fix, receivedAt: fix.receivedAt) {
            self.packed |= UInt64(Fault.allCases.firstIndex(of: own)! + 1) << Self.ownFaultShift
        }
    }

    /// `ts`, µs since the epoch.
    public var timestamp: Int64 { Int64(self.packed & Self.timestampMask) - Self.timestampBias }

    /// The first rule the fix breaks alone; nil when it breaks none (the `jump` rule may still hold).
    var ownFault: Fault? {
        let code = Int((self.packed >> Self.ownFaultShift) & 0b111)
        return code == 0 ? nil : Fault.allCases[code - 1]
    }

    /// The judgement of CONTRACT §6.2 in `ts` order; nil: not faulty. Its own fault, or else `jump` or none.
    public internal(set) var fault: Fault? {
        get { self.ownFault ?? (self.packed & Self.jumpBit != 0 ? .jump : nil) }
        set {
            assert(newValue == self.ownFault || (self.ownFault == nil && newValue == .jump), "a fix's own fault stays")
            if self.ownFault == nil && newValue == .jump {
                self.packed |= Self.jumpBit
            } else {
                self.packed &= ~Self.jumpBit
            }
        }
    }

    /// Its time and place, for the `jump` rule and the gates (satellites, judged already, left out).
    var location: Fix {
        Fix(timestamp: self.timestamp, latitude: self.latitude, longitude: self.longitude, satellites: nil)
    }
}
