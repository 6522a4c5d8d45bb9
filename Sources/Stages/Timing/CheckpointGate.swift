import Foundation

/// A checkpoint's gate in the local equirectangular projection of CONTRACT §6.3, centred on the gate's
/// midpoint: x = Δlon·cos(lat₀), y = Δlat, in degrees.
///
/// A segment a→b crosses the gate when `side(a) < 0 ≤ side(b)` or `side(a) > 0 ≥ side(b)` and the point where
/// it meets the gate's line lies on the gate, endpoints included. So a point exactly on the gate counts once
/// (on the segment that ends there), touching the gate and turning back counts once, and a segment along
/// the gate's line counts nothing.
public struct CheckpointGate: Sendable, Hashable {
    let latitude: Double
    let longitude: Double
    let cosine: Double
    /// The gate from its first end (x1, y1) to its second, in the projection: (dx, dy).
    let x1: Double
    let y1: Double
    let dx: Double
    let dy: Double

    public init(_ checkpoint: Checkpoint) {
        self.latitude = (checkpoint.lat1 + checkpoint.lat2) / 2
        self.longitude = (checkpoint.lon1 + checkpoint.lon2) / 2
        self.cosine = cos(self.latitude * .pi / 180)
        self.x1 = (checkpoint.lon1 - self.longitude) * self.cosine
        self.y1 = checkpoint.lat1 - self.latitude
        self.dx = (checkpoint.lon2 - checkpoint.lon1) * self.cosine
        self.dy = checkpoint.lat2 - checkpoint.lat1
    }

    /// The side of the gate's line `(latitude, longitude)` is on: the cross product of the gate and the point
    /// (negative, zero on the line, positive).
    func side(latitude: Double, longitude: Double) -> Double {
        let x = (longitude - self.longitude) * self.cosine - self.x1
        let y = (latitude - self.latitude) - self.y1
        return self.dx * y - self.dy * x
    }

    /// Where the segment from `a` to `b` crosses the gate: the fraction of the segment from `a` to the
    /// meeting point (in (0, 1]), or nil when it does not cross.
    public func crossing(from a: Fix, to b: Fix) -> Double? {
        let sa = self.side(latitude: a.latitude, longitude: a.longitude)
        let sb = self.side(latitude: b.latitude, longitude: b.longitude)
        guard (sa < 0 && sb >= 0) || (sa > 0 && sb <= 0) else { return nil }
        let fraction = sb == 0 ? 1 : sa / (sa - sb)
        // The meeting point, and where it lies along the gate (0 at its first end, 1 at its second).
        let ax = (a.longitude - self.longitude) * self.cosine
        let ay = a.latitude - self.latitude
        let bx = (b.longitude - self.longitude) * self.cosine
        let by = b.latitude - self.latitude
        let mx = ax + fraction * (bx - ax)
        let my = ay + fraction * (by - ay)
        let along = ((mx - self.x1) * self.dx + (my - self.y1) * self.dy) / (self.dx * self.dx + self.dy * self.dy)
        guard along >= 0 && along <= 1 else { return nil }
        return fraction
    }

    /// The time at `fraction` of the segment from `a` to `b`, in µs, not rounded: `t_a + f × (t_b − t_a)`.
    public static func time(at fraction: Double, from a: Fix, to b: Fix) -> Double {
        Double(a.timestamp) + fraction * Double(b.timestamp - a.timestamp)
    }
}

/// A crossing time in µs (not rounded: comparisons use it) rounded to the nearest millisecond, halves up, as
/// µs (CONTRACT §6.3).
public func roundedToMillisecond(_ microseconds: Double) -> Int64 {
    Int64((microseconds / 1000 + 0.5).rounded(.down)) * 1000
}
