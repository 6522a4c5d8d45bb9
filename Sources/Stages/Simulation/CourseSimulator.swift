import Foundation

/// Devices racing ``DemoCourse``: each waits a little before the start line (staggered in place and time),
/// drives the loop three times (``DemoCourse/laps``) at 7–12 m/s with smooth speed changes, and after the
/// finish keeps circling (no checkpoint counts any more). Every device reports a fix per tick, with GPS
/// noise, faulty fixes, offline bursts flushed out of order, duplicates and malformed entries as configured,
/// and the true crossing of every checkpoint is recorded from the exact path (``takeCrossings()``). The
/// simulator's first device carries ``DemoCourse/spareDevice`` along as a spare tracker: both report the
/// same exact path. Deterministic for a given seed.
public struct CourseSimulator: SimulatedTicks {
    public struct Options: Sendable {
        /// Number of racers, each with one device (IMEIs as ``TrackSimulator`` makes them); the spare tracker
        /// comes on top. Default: 100.
        public var devices = 100
        /// Seed of the random numbers: the same seed gives the same entries and crossings.
        public var seed: UInt64 = 1
        /// The first tick's device time, µs since the epoch. Default: 2026-05-02T16:00:00Z.
        public var start: Int64 = 1_777_737_600_000_000
        /// Time between two fixes of one device. Default: 1 s.
        public var interval: Duration = .seconds(1)
        /// Standard deviation of the GPS noise on each axis of a reported fix, metres. Default: 0.
        public var noise = 0.0
        /// Share of fixes made faulty (CONTRACT §6.2), few satellites, null island and a jump far away in turn.
        /// Default: 0.
        public var faulty = 0.0
        /// Share of devices that go offline in bursts of 30–120 s (every 2–7 minutes), then flush the fixes
        /// they buffered in random order, some twice. Default: 0.
        public var offline = 0.0
        /// Share of entries sent a second time later on. Default: 0.
        public var duplicates = 0.0
        /// Share of entries that are malformed. Default: 0.
        public var malformed = 0.0

        public init() {}
    }

    public private(set) var options: Options
    var random: SplitMix
    var racers: [RacerMotion]
    var devices: [CourseDevice]
    /// Each racer's devices, indices into `devices`.
    let devicesOfRacer: [[Int]]
    private var tick: Int64 = 0
    private var crossings: [TruthCrossing] = []
    var recent: [Entry] = []
    var faultKind = 0
    var malformedKind = 0

    public typealias Entry = TrackSimulator.Entry

    /// The checkpoints' distances along the route, in `seq` order.
    static let distances = DemoCourse.checkpoints.map(\.distance)

    public init(options: Options) {
        precondition(options.devices >= 1, "the simulator needs at least one device")
        self.options = options
        var random = SplitMix(seed: options.seed)
        self.racers = (0..<options.devices).map { index in
            let behind = 30 + 3 * Double(index % 10)
            let wait = Int64(5 + 2 * (index % 30)) * 1_000_000
            return RacerMotion(distance: Self.distances[0] - behind, departs: options.start + wait)
        }
        var devices = (0..<options.devices).map { index in
            CourseDevice(id: TrackSimulator.deviceID(index), racer: index, random: &random)
        }
        devices.append(CourseDevice(id: DemoCourse.spareDevice, racer: 0, random: &random))
        for index in devices.indices where random.chance(options.offline) {
            let departs = self.racers[devices[index].racer].departs
            devices[index].nextBurst = departs + Int64(random.uniform(30, 300) * 1_000_000)
        }
        self.devices = devices
        var devicesOfRacer = [[Int]](repeating: [], count: options.devices)
        for (index, device) in devices.enumerated() { devicesOfRacer[device.racer].append(index) }
        self.devicesOfRacer = devicesOfRacer
        self.random = random
    }

    /// The device time of the next tick, µs since the epoch.
    public var nextTickTime: Int64 { self.options.start + self.tick * self.options.interval.microseconds }

    /// Moves every racer to the next tick's time (recording the checkpoints passed on the way), then returns
    /// each device's entries of that tick.
    public mutating func nextTick() -> [Entry] {
        let time = self.nextTickTime
        if self.tick > 0 {
            let microseconds = self.options.interval.microseconds
            let seconds = Double(microseconds) / 1e6
            for racer in self.racers.indices {
                for (index, at) in self.racers[racer].advance(
                    from: time - microseconds,
                    by: seconds,
                    past: Self.distances,
                    random: &self.random
                ) {
                    let checkpoint = DemoCourse.checkpoints[index].checkpoint
                    for device in self.devicesOfRacer[racer] {
                        self.crossings.append(
                            TruthCrossing(
                                device: self.devices[device].id,
                                event: DemoCourse.event,
                                checkpoint: checkpoint.id,
                                seq: checkpoint.seq,
                                time: at
                            )
                        )
                    }
                }
            }
        }
        self.tick += 1
        var entries: [Entry] = []
        entries.reserveCapacity(self.devices.count + 4)
        for index in self.devices.indices {
            self.report(device: index, at: time, into: &entries)
        }
        return entries
    }

    /// The true crossings of the ticks since the last call, in time order per device.
    public mutating func takeCrossings() -> [TruthCrossing] {
        defer { self.crossings = [] }
        return self.crossings
    }
}

extension TrackSimulator {
    /// The IMEI of the simulators' `index`th device: `35630704` and seven digits from 2441013 on.
    public static func deviceID(_ index: Int) -> String {
        "35630704" + String(String(2_441_013 + index).suffix(7))
    }
}
