import Foundation

/// A closed loop of straight legs between vertices: the exact path the course simulator's racers drive.
///
/// - Important: A point between two vertices is interpolated linearly in latitude and longitude, so every
///   leg is a straight line in the projection of ``Gate`` (CONTRACT §6.3) too: a gate crossing a leg is met
///   at one point, and where a racer is at a time is exact, not approximated. Distances are in metres
///   (great circle per leg), and a distance past the loop's ``length`` wraps around.
public struct CoursePath: Sendable {
    /// A point of the path, with the direction of travel there (degrees clockwise from north).
    public struct Point: Sendable, Hashable {
        public var latitude: Double
        public var longitude: Double
        public var heading: Double
    }

    /// The loop's corners, in driving order; the last leg runs from the last back to the first.
    public let vertices: [(latitude: Double, longitude: Double)]
    /// The distance from the first vertex to each vertex, and the loop's length last.
    let cumulative: [Double]

    public var length: Double { self.cumulative[self.cumulative.count - 1] }

    public init(vertices: [(latitude: Double, longitude: Double)]) {
        precondition(vertices.count >= 3, "a loop needs at least 3 vertices")
        self.vertices = vertices
        var cumulative = [0.0]
        for index in vertices.indices {
            let a = vertices[index]
            let b = vertices[(index + 1) % vertices.count]
            let leg = FaultRules.distance(
                Fix(timestamp: 0, latitude: a.latitude, longitude: a.longitude),
                Fix(timestamp: 0, latitude: b.latitude, longitude: b.longitude)
            )
            cumulative.append(cumulative[cumulative.count - 1] + leg)
        }
        self.cumulative = cumulative
    }

    /// The point `distance` metres along the loop from its first vertex (any real number: it wraps).
    public func point(at distance: Double) -> Point {
        var along = distance.truncatingRemainder(dividingBy: self.length)
        if along < 0 { along += self.length }
        // The leg holding `along`: the last vertex distance not after it.
        var leg = 0
        while leg + 1 < self.vertices.count && self.cumulative[leg + 1] <= along { leg += 1 }
        let a = self.vertices[leg]
        let b = self.vertices[(leg + 1) % self.vertices.count]
        let fraction = (along - self.cumulative[leg]) / (self.cumulative[leg + 1] - self.cumulative[leg])
        let latitude = a.latitude + fraction * (b.latitude - a.latitude)
        let longitude = a.longitude + fraction * (b.longitude - a.longitude)
        let east = (b.longitude - a.longitude) * cos(latitude * .pi / 180)
        let north = b.latitude - a.latitude
        var heading = atan2(east, north) * 180 / .pi
        if heading < 0 { heading += 360 }
        return Point(latitude: latitude, longitude: longitude, heading: heading)
    }

    /// The distance along the loop to the middle of leg `leg` (from vertex `leg` to the next).
    public func middle(ofLeg leg: Int) -> Double {
        (self.cumulative[leg] + self.cumulative[leg + 1]) / 2
    }
}
