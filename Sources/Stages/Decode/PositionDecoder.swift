/// Turns one telemetry stream entry into a ``Position``, exactly as CONTRACT §1 says, or says precisely why
/// it cannot.
///
/// ```swift
/// Map { (entry: StreamEntry) in try PositionDecoder.decode(entry).get() }
///     .onError(.skip)
/// ```
///
/// What is accepted:
/// - The entry has the fields `device_id` and `payload` (the first of each name counts; other fields are
///   ignored). `device_id` is 1–64 bytes of printable ASCII (0x20–0x7E).
/// - `payload` is UTF-8 JSON (strict RFC 8259: no comments, trailing commas, leading zeros, byte order mark
///   or lone surrogates) holding one object, in which each key appears once. Keys other than the
///   contract's are ignored, but must be valid JSON too (and without repeated keys).
/// - `device_id` (a string, equal byte for byte to the entry field), `timestamp` (a string, see
///   ``Timestamp/parse(_:)``), `latitude` ∈ [-90, 90] and `longitude` ∈ [-180, 180] are required.
/// - `altitude` (|a| ≤ 100000), `angle` ∈ [0, 360], `speed` ∈ [0, 2000], `satellites` ∈ [0, 255] and
///   `priority` ∈ [0, 2] may be absent or `null`. Ranges apply to the number's nearest double.
/// - `satellites` and `priority` are integers: a number with a non-zero fraction (`11.5`) is not, while an
///   integral value written otherwise (`11.0`, `1.1e1`) is accepted as that integer.
/// - `attributes` is absent, `null` or an object keyed by IO element ids — decimal integers 0–65535 without
///   leading zeros (`"66"`, not `"066"`) — whose values are finite numbers (kept as their JSON text),
///   `{"$bigint": "<decimal>"}` (an optional `-` and digits, no leading zeros, in −2^63 … 2^64−1; `-0` is
///   refused) or `{"$bytes": "<base64>"}` (standard alphabet, padded, canonical; empty is allowed).
///
/// - Important: Every malformed entry is reported as a ``DecodeError`` naming the first problem met in
///   reading order; no input makes the decoder crash (objects and arrays may nest at most 128 deep).
public enum PositionDecoder {
    /// The position in `entry`, or why there is none.
    public static func decode(_ entry: StreamEntry) -> Result<Position, DecodeError> {
        do throws(DecodeError.Reason) {
            return .success(try Self.decodePosition(entry))
        } catch {
            return .failure(DecodeError(entryID: entry.id, reason: error))
        }
    }

    static func decodePosition(_ entry: StreamEntry) throws(DecodeError.Reason) -> Position {
        try entry.withValues(of: "device_id", "payload") { (deviceID, payload) throws(DecodeError.Reason) in
            guard let deviceID else { throw .missingEntryField(name: "device_id") }
            guard let payload else { throw .missingEntryField(name: "payload") }
            if let problem = Self.deviceIDProblem(deviceID) {
                throw .invalidDeviceID(
                    field: "device_id",
                    value: String(decoding: deviceID, as: UTF8.self),
                    problem: problem
                )
            }
            if let offset = UTF8Validation.firstInvalidOffset(payload) { throw .notUTF8(offset: offset) }
            var decoder = PayloadDecoder(reader: JSONReader(payload), entryDeviceID: deviceID)
            return try decoder.decode()
        }
    }

    /// Why `bytes` is not a device id (1–64 bytes of printable ASCII), if it is not.
    static func deviceIDProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> DecodeError.DeviceIDProblem? {
        if bytes.isEmpty { return .empty }
        if bytes.count > 64 { return .tooLong(byteCount: bytes.count) }
        for offset in 0..<bytes.count where bytes[offset] &- 0x20 > 0x7E - 0x20 {
            return .notPrintableASCII(offset: offset, byte: bytes[offset])
        }
        return nil
    }
}

/// Reads one payload object into a position's fields.
struct PayloadDecoder {
    typealias Reason = DecodeError.Reason

    var reader: JSONReader
    /// The entry field `device_id`, already checked.
    let entryDeviceID: UnsafeBufferPointer<UInt8>

    private var seen: UInt16 = 0
    private var timestamp: Int64 = 0
    private var latitude = 0.0
    private var longitude = 0.0
    private var altitude: Double?
    private var angle: Double?
    private var speed: Double?
    private var satellites: Int?
    private var priority: Int?
    var attributes = PositionAttributes.Builder()

    init(reader: JSONReader, entryDeviceID: UnsafeBufferPointer<UInt8>) {
        self.reader = reader
        self.entryDeviceID = entryDeviceID
    }

    mutating func decode() throws(Reason) -> Position {
        let kind = try self.reader.peekKind()
        guard kind == .object else {
            try self.reader.skipValue(path: "payload", depth: 0)
            try self.reader.expectEnd()
            throw .notObject(found: kind)
        }
        try self.reader.beginObject(depth: 1)
        var unknownKeys = Set<[UInt8]>()  // UTF-8, not String: see JSONReader
        var isFirst = true
        // Payloads usually list the fields in the contract's order: each key is first tried as the one after
        // the last field read (``JSONReader/consumeKey(_:isFirst:)``), then read and looked up.
        var expected: PayloadField? = .deviceID
        while true {
            let field: PayloadField
            if let next = expected, self.reader.consumeKey(next.quotedKey, isFirst: &isFirst) {
                field = next
            } else {
                guard let key = try self.reader.nextKey(isFirst: &isFirst) else { break }
                guard let known = self.reader.withBytes(of: key, { PayloadField(key: $0) }) else {
                    let name = self.reader.text(of: key)
                    guard unknownKeys.insert(Array(name.utf8)).inserted else {
                        throw .duplicateKey(field: "payload", key: name)
                    }
                    try self.reader.skipValue(path: "payload." + name, depth: 1)
                    continue
                }
                field = known
            }
            expected = PayloadField(rawValue: field.rawValue + 1)
            let bit: UInt16 = 1 << field.rawValue
            guard self.seen & bit == 0 else { throw .duplicateKey(field: "payload", key: field.key.description) }
            self.seen |= bit
            try self.read(field)
        }
        try self.reader.expectEnd()
        if self.seen & PayloadField.required != PayloadField.required {
            for field in [PayloadField.deviceID, .timestamp, .latitude, .longitude]
            where self.seen & (1 << field.rawValue) == 0 {
                throw .missingField(field: field.path)
            }
        }
        return Position(
            deviceID: String(decoding: self.entryDeviceID, as: UTF8.self),
            timestamp: self.timestamp,
            latitude: self.latitude,
            longitude: self.longitude,
            altitude: self.altitude,
            angle: self.angle,
            speed: self.speed,
            satellites: self.satellites,
            priority: self.priority,
            attributes: self.attributes.finished()
        )
    }

    private mutating func read(_ field: PayloadField) throws(Reason) {
        switch field {
        case .deviceID:
            let token = try self.string(field)
            try self.reader.withBytes(of: token) { (bytes) throws(Reason) in
                // Equal to the entry field, which is valid: valid too.
                if bytes.elementsEqual(bytes: self.entryDeviceID) { return }
                if let problem = PositionDecoder.deviceIDProblem(bytes) {
                    throw .invalidDeviceID(
                        field: field.path,
                        value: String(decoding: bytes, as: UTF8.self),
                        problem: problem
                    )
                }
                throw .deviceIDMismatch(
                    entry: String(decoding: self.entryDeviceID, as: UTF8.self),
                    payload: String(decoding: bytes, as: UTF8.self)
                )
            }
        case .timestamp:
            let token = try self.string(field)
            self.timestamp = try self.reader.withBytes(of: token) { (bytes) throws(Reason) -> Int64 in
                do throws(Timestamp.ParseError) {
                    return try Timestamp.parse(utf8: bytes)
                } catch {
                    throw .invalidTimestamp(
                        field: field.path,
                        text: String(decoding: bytes, as: UTF8.self),
                        problem: error
                    )
                }
            }
        case .latitude: self.latitude = try self.number(field, in: -90...90, optional: false) ?? 0
        case .longitude: self.longitude = try self.number(field, in: -180...180, optional: false) ?? 0
        case .altitude: self.altitude = try self.number(field, in: -100_000...100_000, optional: true)
        case .angle: self.angle = try self.number(field, in: 0...360, optional: true)
        case .speed: self.speed = try self.number(field, in: 0...2000, optional: true)
        case .satellites: self.satellites = try self.integer(field, in: 0...255)
        case .priority: self.priority = try self.integer(field, in: 0...2)
        case .attributes: try self.readAttributes()
        }
    }

    /// The string value of `field`.
    private mutating func string(_ field: PayloadField) throws(Reason) -> JSONReader.StringToken {
        let kind = try self.reader.peekKind()
        guard kind == .string else {
            try self.reader.skipValue(path: field.path, depth: 1)
            throw .wrongType(field: field.path, expected: "a string", found: kind)
        }
        return try self.reader.readString()
    }

    /// The finite number value of `field`, unchecked, or `nil` for an optional field's `null`.
    private mutating func numberToken(_ field: PayloadField, optional: Bool) throws(Reason) -> JSONReader.NumberToken? {
        let kind = try self.reader.peekKind()
        if kind == .null, optional {
            try self.reader.readLiteral("null")
            return nil
        }
        guard kind == .number else {
            try self.reader.skipValue(path: field.path, depth: 1)
            throw .wrongType(field: field.path, expected: optional ? "a number or null" : "a number", found: kind)
        }
        let number = try self.reader.readNumber()
        guard number.value.isFinite else { throw .notFinite(field: field.path, value: self.reader.text(of: number)) }
        return number
    }

    private mutating func number(
        _ field: PayloadField,
        in range: ClosedRange<Double>,
        optional: Bool
    ) throws(Reason) -> Double? {
        guard let number = try self.numberToken(field, optional: optional) else { return nil }
        guard range.contains(number.value) else {
            throw .outOfRange(field: field.path, value: self.reader.text(of: number), range: range)
        }
        return number.value
    }

    private mutating func integer(_ field: PayloadField, in range: ClosedRange<Int>) throws(Reason) -> Int? {
        guard let number = try self.numberToken(field, optional: true) else { return nil }
        // Every double of magnitude 2^52 or more is integral; below that, truncation must give it back. (Not
        // `rounded()`: it needs libm, which an executable without Foundation does not link.)
        guard number.value.magnitude >= 0x1p52 || Double(Int64(number.value)) == number.value else {
            throw .notInteger(field: field.path, value: self.reader.text(of: number))
        }
        guard number.value >= Double(range.lowerBound), number.value <= Double(range.upperBound) else {
            throw .outOfRange(
                field: field.path,
                value: self.reader.text(of: number),
                range: Double(range.lowerBound)...Double(range.upperBound)
            )
        }
        return Int(number.value)
    }
}

/// The payload keys the contract defines.
enum PayloadField: Int {
    case deviceID, timestamp, latitude, longitude, altitude, angle, speed, satellites, priority, attributes

    /// The bits (`1 << rawValue`) of the required fields.
    static let required: UInt16 = 0b1111

    var key: StaticString {
        switch self {
        case .deviceID: "device_id"
        case .timestamp: "timestamp"
        case .latitude: "latitude"
        case .longitude: "longitude"
        case .altitude: "altitude"
        case .angle: "angle"
        case .speed: "speed"
        case .satellites: "satellites"
        case .priority: "priority"
        case .attributes: "attributes"
        }
    }

    /// The key in quotes, then `:`, as a payload writes it without whitespace.
    var quotedKey: StaticString {
        switch self {
        case .deviceID: "\"device_id\":"
        case .timestamp: "\"timestamp\":"
        case .latitude: "\"latitude\":"
        case .longitude: "\"longitude\":"
        case .altitude: "\"altitude\":"
        case .angle: "\"angle\":"
        case .speed: "\"speed\":"
        case .satellites: "\"satellites\":"
        case .priority: "\"priority\":"
        case .attributes: "\"attributes\":"
        }
    }

    /// The field's path in errors.
    var path: String {
        switch self {
        case .deviceID: "payload.device_id"
        case .timestamp: "payload.timestamp"
        case .latitude: "payload.latitude"
        case .longitude: "payload.longitude"
        case .altitude: "payload.altitude"
        case .angle: "payload.angle"
        case .speed: "payload.speed"
        case .satellites: "payload.satellites"
        case .priority: "payload.priority"
        case .attributes: "payload.attributes"
        }
    }

    /// The field named `key`, if the contract defines it.
    init?(key: UnsafeBufferPointer<UInt8>) {
        let candidate: PayloadField
        switch (key.count, key.first) {
        case (9, UInt8(ascii: "d")): candidate = .deviceID
        case (9, UInt8(ascii: "t")): candidate = .timestamp
        case (8, UInt8(ascii: "l")): candidate = .latitude
        case (9, UInt8(ascii: "l")): candidate = .longitude
        case (8, UInt8(ascii: "a")): candidate = .altitude
        case (5, UInt8(ascii: "a")): candidate = .angle
        case (5, UInt8(ascii: "s")): candidate = .speed
        case (10, UInt8(ascii: "s")): candidate = .satellites
        case (8, UInt8(ascii: "p")): candidate = .priority
        case (10, UInt8(ascii: "a")): candidate = .attributes
        default: return nil
        }
        guard candidate.key.withUTF8Buffer({ key.elementsEqual(bytes: $0) }) else { return nil }
        self = candidate
    }
}
