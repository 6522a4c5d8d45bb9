/// A position as the live protocol sends it (CONTRACT §5): every key always present, `null` when the tracker
/// did not report a value.
public struct LivePosition: Sendable, Hashable {
    public var deviceID: String
    /// The payload's `timestamp` instant, in µs since the Unix epoch (sent as ISO-8601 UTC, milliseconds, `Z`).
    public var timestamp: Int64
    public var latitude: Double
    public var longitude: Double
    public var altitude: Double?
    public var angle: Double?
    public var speed: Double?
    public var satellites: Int?

    public init(
        deviceID: String,
        timestamp: Int64,
        latitude: Double,
        longitude: Double,
        altitude: Double? = nil,
        angle: Double? = nil,
        speed: Double? = nil,
        satellites: Int? = nil
    ) {
        self.deviceID = deviceID
        self.timestamp = timestamp
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.angle = angle
        self.speed = speed
        self.satellites = satellites
    }

    public init(_ position: Position) {
        self.init(
            deviceID: position.deviceID,
            timestamp: position.timestamp,
            latitude: position.latitude,
            longitude: position.longitude,
            altitude: position.altitude,
            angle: position.angle,
            speed: position.speed,
            satellites: position.satellites
        )
    }
}
