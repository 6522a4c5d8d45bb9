/// How far along a course one racer is: a distance along the route that grows tick by tick at a speed that
/// changes smoothly.
///
/// - Important: Within a tick the speed is constant, so the exact path is the route driven at a piecewise
///   constant speed, and the moment it passes a gate's distance is exact: ``advance(from:by:past:random:)``
///   reports it before any rounding.
struct RacerMotion: Sendable {
    /// Metres along the route from the loop's first corner (each later lap continues past its length).
    private(set) var distance: Double
    /// Metres per second during the current tick.
    private(set) var speed = 0.0
    /// The racer waits before the start line until this device time (µs since the epoch).
    let departs: Int64
    /// The cruising speed the racer tends to, drawn again at `retarget`.
    private var target = 0.0
    private var retarget: Int64
    /// The index of the next course distance to pass.
    private var next = 0

    /// Cruising speeds, metres per second.
    static let speeds: ClosedRange<Double> = 7...12

    init(distance: Double, departs: Int64) {
        self.distance = distance
        self.departs = departs
        self.retarget = departs
    }

    /// Drives from device time `time` for `seconds`: returns each of `distances` (ascending, the course's
    /// checkpoints) passed on the way, with the exact moment, µs since the epoch.
    mutating func advance(
        from time: Int64,
        by seconds: Double,
        past distances: [Double],
        random: inout SplitMix
    ) -> [(index: Int, time: Double)] {
        guard time >= self.departs else { return [] }
        if time >= self.retarget {
            self.target = random.uniform(Self.speeds.lowerBound, Self.speeds.upperBound)
            self.retarget = time + Int64(random.uniform(10, 40) * 1_000_000)
        }
        if self.speed < Self.speeds.lowerBound {
            // Pulling away from the start: 2 m/s².
            self.speed = min(self.target, self.speed + 2 * seconds)
        } else {
            // Cruising: towards the target, with a little jitter, at most 1 m/s².
            let acceleration = min(1, max(-1, 0.25 * (self.target - self.speed) + random.uniform(-0.3, 0.3)))
            self.speed = min(Self.speeds.upperBound, max(Self.speeds.lowerBound, self.speed + acceleration * seconds))
        }
        let end = self.distance + self.speed * seconds
        var passed: [(index: Int, time: Double)] = []
        while self.next < distances.count && distances[self.next] <= end {
            let fraction = (distances[self.next] - self.distance) / (end - self.distance)
            passed.append((self.next, Double(time) + fraction * seconds * 1_000_000))
            self.next += 1
        }
        self.distance = end
        return passed
    }
}
