import Foundation

/// Why a position is faulty (CONTRACT §6.2): the first rule that holds, in this order. Its raw value is what
/// the `fault` column, the log and `flowrun_positions_faulty_total{reason}` say.
public enum Fault: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `satellites` is reported and fewer than ``FaultThresholds/minSatellites``.
    case fewSatellites = "few-satellites"
    /// Latitude and longitude are both exactly 0.
    case nullIsland = "null-island"
    /// `ts` is more than ``FaultThresholds/maxAhead`` ahead of the moment the position was received.
    case future
    /// The speed implied from the device's reference position exceeds ``FaultThresholds/maxSpeed``.
    case jump

    public static func < (a: Fault, b: Fault) -> Bool {
        Self.allCases.firstIndex(of: a)! < Self.allCases.firstIndex(of: b)!
    }
}

/// The thresholds of CONTRACT §6.2's rules (`faults:` in `pipelines.yaml`), with its defaults.
public struct FaultThresholds: Sendable, Hashable {
    /// `few-satellites` below this many satellites. Default 4.
    public var minSatellites: Int
    /// `future` when `ts` is more than this ahead of the moment received. Default 5 minutes.
    public var maxAhead: Duration
    /// `jump` above this speed, in km/h. Default 300.
    public var maxSpeed: Double
    /// The `jump` reference is at most this much older. Default 60 s.
    public var referenceAge: Duration

    public static let defaults = FaultThresholds()

    public init(
        minSatellites: Int = 4,
        maxAhead: Duration = .seconds(300),
        maxSpeed: Double = 300,
        referenceAge: Duration = .seconds(60)
    ) {
        self.minSatellites = minSatellites
        self.maxAhead = maxAhead
        self.maxSpeed = maxSpeed
        self.referenceAge = referenceAge
    }
}

/// What the rules of §6.2 look at in a position: a small value, so that a device's recent track is cheap to keep.
public struct Fix: Sendable, Hashable {
    /// The device's clock, µs since the epoch (the position's `ts`).
    public var timestamp: Int64
    public var latitude: Double
    public var longitude: Double
    /// nil when the tracker did not report it.
    public var satellites: Int?

    public init(timestamp: Int64, latitude: Double, longitude: Double, satellites: Int? = nil) {
        self.timestamp = timestamp
        self.latitude = latitude
        self.longitude = longitude
        self.satellites = satellites
    }

    public init(_ position: Position) {
        self.init(
            timestamp: position.timestamp,
            latitude: position.latitude,
            longitude: position.longitude,
            satellites: position.satellites
        )
    }
}

/// The rules of CONTRACT §6.2 as one pure function: which rule a fix breaks first, given when it was received
/// and its device's reference position. Who keeps the reference (arrival order in durable-write and
/// live-broadcast, `ts` order in race-timing and recompute) is the caller's business.
public struct FaultRules: Sendable, Hashable {
    /// Mean Earth radius (IUGG), the one §6.2 names.
    public static let earthRadius = 6_371_008.8

    public var thresholds: FaultThresholds
    private let maxAheadMicroseconds: Int64
    private let referenceAgeMicroseconds: Int64

    public init(_ thresholds: FaultThresholds = .defaults) {
        self.thresholds = thresholds
        self.maxAheadMicroseconds = thresholds.maxAhead.microseconds
        self.referenceAgeMicroseconds = thresholds.referenceAge.microseconds
    }

    /// The first rule `fix` breaks, nil when it is not faulty.
    ///
    /// - Parameters:
    ///   - receivedAt: when it was received, µs since the epoch (the processor's clock on first sight;
    ///     `received_at` when recomputed).
    ///   - reference: the nearest older non-faulty fix of the device in `ts` order, if any. The `jump` rule
    ///     applies only when it is at most ``FaultThresholds/referenceAge`` older (see ``isReference(_:for:)``).
    public func fault(of fix: Fix, receivedAt: Int64, reference: Fix?) -> Fault? {
        self.ownFault(of: fix, receivedAt: receivedAt) ?? (self.jumps(fix, from: reference) ? .jump : nil)
    }

    /// The first of the rules that judge `fix` alone (`few-satellites`, `null-island`, `future`), nil when it
    /// breaks none of them.
    public func ownFault(of fix: Fix, receivedAt: Int64) -> Fault? {
        if let satellites = fix.satellites, satellites < self.thresholds.minSatellites { return .fewSatellites }
        if fix.latitude == 0 && fix.longitude == 0 { return .nullIsland }
        if fix.timestamp - receivedAt > self.maxAheadMicroseconds { return .future }
        return nil
    }

    /// The `jump` rule: whether the speed implied from `reference` (when it is a reference of `fix`, see
    /// ``isReference(_:for:)``) exceeds ``FaultThresholds/maxSpeed``.
    public func jumps(_ fix: Fix, from reference: Fix?) -> Bool {
        guard let reference, self.isReference(reference, for: fix) else { return false }
        let seconds = max(Double(fix.timestamp - reference.timestamp) / 1_000_000, 1)
        return Self.distance(reference, fix) / seconds * 3.6 > self.thresholds.maxSpeed
    }

    /// Whether `candidate` (older than `fix` in `ts` order, non-faulty) is close enough in time to be its
    /// `jump` reference: at most ``FaultThresholds/referenceAge`` older.
    public func isReference(_ candidate: Fix, for fix: Fix) -> Bool {
        candidate.timestamp < fix.timestamp && fix.timestamp - candidate.timestamp <= self.referenceAgeMicroseconds
    }

    /// The great-circle distance between two fixes, in metres (haversine, mean Earth radius).
    public static func distance(_ a: Fix, _ b: Fix) -> Double {
        let radians = Double.pi / 180
        let latitude1 = a.latitude * radians
        let latitude2 = b.latitude * radians
        let deltaLatitude = latitude2 - latitude1
        let deltaLongitude = (b.longitude - a.longitude) * radians
        let sinLatitude = sin(deltaLatitude / 2)
        let sinLongitude = sin(deltaLongitude / 2)
        let h = sinLatitude * sinLatitude + cos(latitude1) * cos(latitude2) * sinLongitude * sinLongitude
        return 2 * Self.earthRadius * asin(min(1, h.squareRoot()))
    }
}
