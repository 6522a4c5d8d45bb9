import Foundation
import Stages

/// Courses and tracks laid out in metres around a point, for the timing tests.
enum Field {
    static let latitude = 54.68
    static let longitude = 25.28
    /// Metres per degree of latitude on the mean Earth sphere.
    static let metresPerDegree = FaultRules.earthRadius * .pi / 180
    static let event = "00000000-0000-4000-8000-00000000e001"
    /// 2026-05-02T16:00:00Z, in µs.
    static let t0: Int64 = 1_777_737_600_000_000

    /// The point `east` and `north` metres from the field's origin.
    static func point(_ east: Double, _ north: Double) -> (latitude: Double, longitude: Double) {
        (
            latitude + north / metresPerDegree,
            longitude + east / (metresPerDegree * cos(latitude * .pi / 180))
        )
    }

    /// A fix at `seconds` after ``t0`` (fractions allowed) at (`east`, `north`) metres.
    static func fix(_ seconds: Double, _ east: Double, _ north: Double, satellites: Int? = 10) -> TrackFix {
        let (lat, lon) = point(east, north)
        let ts = t0 + Int64((seconds * 1_000_000).rounded())
        return TrackFix(Fix(timestamp: ts, latitude: lat, longitude: lon, satellites: satellites), receivedAt: ts)
    }

    /// A gate from (`east1`, `north1`) to (`east2`, `north2`) metres.
    static func checkpoint(
        _ seq: Int,
        _ kind: Checkpoint.Kind,
        from a: (Double, Double),
        to b: (Double, Double),
        id: String? = nil
    ) -> Checkpoint {
        let p = point(a.0, a.1)
        let q = point(b.0, b.1)
        return Checkpoint(
            id: id ?? String(format: "00000000-0000-4000-8000-0000000c%04d", seq),
            seq: seq,
            name: "CP\(seq)",
            kind: kind,
            lat1: p.latitude,
            lon1: p.longitude,
            lat2: q.latitude,
            lon2: q.longitude
        )
    }

    /// A north–south gate at `east` metres, from −50 m to +50 m north.
    static func line(_ seq: Int, _ kind: Checkpoint.Kind, atEast east: Double) -> Checkpoint {
        checkpoint(seq, kind, from: (east, -50), to: (east, 50))
    }

    /// Start at 0 m, split at 100 m, finish at 200 m east.
    static func straightCourse(window: TimingWindow = .open) throws -> Course {
        try Course(
            event: event,
            checkpoints: [line(1, .start, atEast: 0), line(2, .split, atEast: 100), line(3, .finish, atEast: 200)],
            window: window
        )
    }

    /// µs since ``t0``, exactly, as `seconds`.
    static func time(_ seconds: Double) -> Int64 { t0 + Int64((seconds * 1_000_000).rounded()) }
}

extension DeviceTrack {
    /// Inserts fixes in the order given; returns the insertions.
    @discardableResult
    mutating func insert(
        _ fixes: [TrackFix],
        course: Course,
        settings: TrackSettings = TrackSettings()
    )
        -> [Insertion]
    {
        fixes.map { self.insert($0, course: course, settings: settings) }
    }
}
