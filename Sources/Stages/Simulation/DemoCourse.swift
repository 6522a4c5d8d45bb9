import Foundation

/// The demo race's course, the one definition both `flowrun simulate --course demo` drives and
/// `scripts/demo-registry.sql` registers (``registrySQL``; a test keeps the script's copy equal to it).
///
/// A loop of about 2.3 km near the contract's example position (54.687, 25.280), driven three times: 10
/// checkpoints, the start line, two splits, the start line again as the split "Lap 1", the two splits again,
/// the start line as "Lap 2", the two splits a third time, and the start line as the finish (CONTRACT §6.1: a
/// lap course repeats a gate under later seqs). The race is about 7 km long, about 12 minutes at 7–12 m/s.
///
/// - Important: Every gate is 60 m long, crosses its leg at a right angle in its middle (at least 100 m
///   from a corner) and lies 30 m to either side of the path, so GPS noise of a few metres never misses it;
///   no gate comes near another leg.
public enum DemoCourse {
    /// "Demo race" (CONTRACT §3), the event `scripts/demo-registry.sql` registers the simulator's devices in.
    public static let event = "00000000-0000-4000-8000-00000000d001"
    /// The entry of the simulator's first device, which also carries ``spareDevice``.
    public static let spareEntry = "00000000-0000-4000-8001-000000000000"
    /// A spare tracker that rides with the simulator's first device (its competitor's second device).
    public static let spareDevice = "356307049999999"
    /// Times the racers drive the loop.
    public static let laps = 3

    /// The loop's corners, metres east and north of ``origin``.
    static let corners: [(east: Double, north: Double)] = [
        (0, 0), (400, -30), (670, 70), (770, 300), (600, 500), (330, 530), (100, 430), (-100, 270), (-130, 100),
    ]
    static let origin = (latitude: 54.687, longitude: 25.28)
    /// Metres per degree of latitude (mean Earth radius).
    static let metresPerDegree = FaultRules.earthRadius * .pi / 180

    /// The loop the racers drive.
    public static let path = CoursePath(
        vertices: corners.map { corner in
            (
                latitude: origin.latitude + corner.north / metresPerDegree,
                longitude: origin.longitude
                    + corner.east / (metresPerDegree * cos(origin.latitude * .pi / 180))
            )
        }
    )

    /// Where the start/finish line crosses the loop, metres from its first corner.
    static let startLine = 150.0
    /// Where the splits cross the loop: the middles of its 3rd and 6th legs (about 814 m and 1,599 m along it,
    /// each leg about 250 m long).
    static let splitLines = [2, 5].map { path.middle(ofLeg: $0) }
    static let gateHalfLength = 30.0

    /// The course's checkpoints in `seq` order, and the distance along the route (metres from the loop's
    /// first corner, each later lap continuing past ``CoursePath/length``) at which each is crossed.
    public static let checkpoints: [(checkpoint: Checkpoint, distance: Double)] = {
        var result: [(checkpoint: Checkpoint, distance: Double)] = []
        // A lap's gate is placed from its distance within the lap, so that every lap repeats it exactly.
        func add(_ name: String, _ kind: Checkpoint.Kind, lap: Int, at distance: Double) {
            let seq = result.count + 1
            let id = "00000000-0000-4000-8003-" + String(String(1_000_000_000_000 + seq).dropFirst())
            let checkpoint = gate(id: id, seq: seq, name: name, kind: kind, at: distance)
            result.append((checkpoint, Double(lap) * path.length + distance))
        }
        add("Start", .start, lap: 0, at: startLine)
        for lap in 0..<laps {
            for (index, split) in splitLines.enumerated() {
                add("Lap \(lap + 1) split \(index + 1)", .split, lap: lap, at: split)
            }
            if lap < laps - 1 { add("Lap \(lap + 1)", .split, lap: lap + 1, at: startLine) }
        }
        add("Finish", .finish, lap: laps, at: startLine)
        return result
    }()

    /// The course as race timing reads it.
    public static func course() throws(CourseError) -> Course {
        try Course(event: event, checkpoints: checkpoints.map(\.checkpoint))
    }

    /// A gate across the path at `distance`, at a right angle, ``gateHalfLength`` to either side.
    static func gate(id: String, seq: Int, name: String, kind: Checkpoint.Kind, at distance: Double) -> Checkpoint {
        let point = path.point(at: distance)
        let radians = point.heading * .pi / 180
        // The unit vector to the right of the direction of travel, in degrees of latitude and longitude.
        let north = -sin(radians) * gateHalfLength / metresPerDegree
        let east = cos(radians) * gateHalfLength / (metresPerDegree * cos(point.latitude * .pi / 180))
        return Checkpoint(
            id: id,
            seq: seq,
            name: name,
            kind: kind,
            lat1: point.latitude + north,
            lon1: point.longitude + east,
            lat2: point.latitude - north,
            lon2: point.longitude - east
        )
    }
}
