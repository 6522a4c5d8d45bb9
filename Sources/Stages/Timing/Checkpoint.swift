/// One gate of a course (CONTRACT §6.1): the straight segment from (lat1, lon1) to (lat2, lon2), crossed in
/// either direction.
public struct Checkpoint: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case start, split, finish
    }

    /// The checkpoint's id, a lowercase UUID.
    public var id: String
    /// Its place in the course, unique per event.
    public var seq: Int
    public var name: String
    public var kind: Kind
    public var lat1: Double
    public var lon1: Double
    public var lat2: Double
    public var lon2: Double

    public init(
        id: String,
        seq: Int,
        name: String,
        kind: Kind,
        lat1: Double,
        lon1: Double,
        lat2: Double,
        lon2: Double
    ) {
        self.id = id.lowercased()
        self.seq = seq
        self.name = name
        self.kind = kind
        self.lat1 = lat1
        self.lon1 = lon1
        self.lat2 = lat2
        self.lon2 = lon2
    }

    /// The gate's length in metres (great circle).
    public var length: Double {
        FaultRules.distance(
            Fix(timestamp: 0, latitude: self.lat1, longitude: self.lon1),
            Fix(timestamp: 0, latitude: self.lat2, longitude: self.lon2)
        )
    }
}
