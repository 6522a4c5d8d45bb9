/// What a device's track needs to know to judge fixes and find crossings: the rules, the course and the
/// limits of race-timing's window (`pipelines.race-timing` in `pipelines.yaml`).
public struct TrackSettings: Sendable {
    public var rules: FaultRules
    /// Two consecutive fixes further apart than this form no segment (CONTRACT §6.3 `max_gap`), µs.
    public var maxGap: Int64
    /// A fix more than this behind its device's newest non-faulty fix is too late (`late_window`), µs.
    public var lateWindow: Int64
    /// At most this many fixes held per device and event; the oldest beyond it are evicted (and a fix older
    /// than the oldest held is then too late).
    public var maxFixesPerDevice: Int

    public static let defaultMaxGap: Duration = .seconds(300)
    public static let defaultLateWindow: Duration = .seconds(3600)
    public static let defaultMaxFixesPerDevice = 4_000

    public init(
        rules: FaultRules = FaultRules(),
        maxGap: Duration = TrackSettings.defaultMaxGap,
        lateWindow: Duration = TrackSettings.defaultLateWindow,
        maxFixesPerDevice: Int = TrackSettings.defaultMaxFixesPerDevice
    ) {
        precondition(maxFixesPerDevice >= 2, "a track holds at least 2 fixes")
        self.rules = rules
        self.maxGap = maxGap.microseconds
        self.lateWindow = lateWindow == .zero ? 0 : lateWindow.microseconds
        self.maxFixesPerDevice = maxFixesPerDevice
    }

    /// Settings that never evict nor refuse a fix as too late: `flowrun timing recompute`, which reads a
    /// device's whole track in `ts` order.
    public static func unbounded(rules: FaultRules, maxGap: Duration) -> TrackSettings {
        var settings = TrackSettings(rules: rules, maxGap: maxGap)
        settings.lateWindow = .max / 4
        settings.maxFixesPerDevice = .max
        return settings
    }
}
