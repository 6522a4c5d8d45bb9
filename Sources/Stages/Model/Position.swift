/// One GPS position, as CONTRACT §1 defines it and §2 stores it.
///
/// - Important: `(deviceID, timestamp)` is the identity of a position: two positions with the same pair
///   are the same position, and the first one stored wins.
public struct Position: Sendable, Hashable {
    /// The tracker's IMEI: 1–64 bytes of printable ASCII.
    public var deviceID: String
    /// The device's own clock, in microseconds since 1970-01-01T00:00:00Z.
    public var timestamp: Int64
    /// Degrees (WGS84), in [-90, 90].
    public var latitude: Double
    /// Degrees (WGS84), in [-180, 180].
    public var longitude: Double
    /// Metres, |a| ≤ 100000.
    public var altitude: Double?
    /// Degrees in [0, 360].
    public var angle: Double?
    /// km/h in [0, 2000].
    public var speed: Double?
    /// In [0, 255].
    public var satellites: Int?
    /// In [0, 2].
    public var priority: Int?
    /// IO element id (0–65535) → value, kept as the `attributes` column's canonical jsonb text.
    public var attributes: PositionAttributes

    public init(
        deviceID: String,
        timestamp: Int64,
        latitude: Double,
        longitude: Double,
        altitude: Double? = nil,
        angle: Double? = nil,
        speed: Double? = nil,
        satellites: Int? = nil,
        priority: Int? = nil,
        attributes: PositionAttributes = [:]
    ) {
        self.deviceID = deviceID
        self.timestamp = timestamp
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.angle = angle
        self.speed = speed
        self.satellites = satellites
        self.priority = priority
        self.attributes = attributes
    }
}

/// An IO element's value (CONTRACT §1 `attributes`).
public enum AttributeValue: Sendable, Hashable {
    /// A finite JSON number, kept as the JSON text it arrived as (`12870`, `-3.5`, `1e3`), so that it is
    /// stored exactly as sent.
    case number(String)
    /// `{"$bigint": "<decimal>"}`: a 64-bit integer (−2^63 … 2^64−1) as its decimal digits.
    case bigint(String)
    /// `{"$bytes": "<base64>"}`: raw bytes, as their (validated) standard padded base64.
    case bytes(String)
}
