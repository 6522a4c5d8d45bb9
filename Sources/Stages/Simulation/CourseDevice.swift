/// One tracker of ``CourseSimulator``: what it needs to report fixes of its racer's path.
struct CourseDevice: Sendable {
    /// Its IMEI.
    let id: String
    /// The index of the racer it rides with.
    let racer: Int
    /// Its odometer before the race, metres.
    let odometer: Int
    /// When it next goes offline (device time, µs), nil when it never does.
    var nextBurst: Int64?
    /// While offline: when it comes back, and the entries it buffered meanwhile.
    var burstEnds: Int64?
    var buffered: [TrackSimulator.Entry] = []
    /// The device time of its newest non-faulty fix, the `jump` rule's reference (CONTRACT §6.2).
    var lastGood: Int64?

    init(id: String, racer: Int, random: inout SplitMix) {
        self.id = id
        self.racer = racer
        self.odometer = Int(random.uniform(1000, 90000))
    }
}
