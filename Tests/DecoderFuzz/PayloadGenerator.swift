import Foundation

/// A generated valid entry: its `device_id` field, its payload and the position they must decode to.
struct GeneratedPayload {
    var deviceID: [UInt8]
    var payload: [UInt8]
    var expected: Position
    /// The length of the payload up to and including the object's closing `}` (whitespace may follow).
    var objectLength: Int
}

/// Generates valid payloads (CONTRACT §1) with the position each must decode to: random devices, timestamps
/// with offsets and fractions, numbers in range written in many ways, optional fields present, absent or
/// `null`, attributes of all three kinds, unknown keys with nested values, random whitespace, key order and
/// escapes.
struct PayloadGenerator {
    var random: SplitMix

    /// Keys the contract does not define (so ignored), none equal to another: `"é"` and `"e\u{301}"` are
    /// different keys (RFC 8259 §8.3), though Swift's `String`s are equal.
    static let unknownKeys = [
        "extra", "é", "e\u{301}", "emoji😀", "$bigint", "device", "lat", "latitudes", "Latitude", "device_id ",
        "attributes2",
        "", "a\"b", "tab\there", "\u{2028}", "\u{0}",
    ]

    mutating func payload() -> GeneratedPayload {
        let deviceID = self.deviceID()
        let (timestampText, timestamp) = self.timestamp()
        var members: [(key: String, value: String)] = []
        func add(_ key: String, _ value: String) { members.append((self.key(key), value)) }
        add("device_id", JSONText.quoted(String(decoding: deviceID, as: UTF8.self), escapeRate: 0.1, &self.random))
        add("timestamp", JSONText.quoted(timestampText, escapeRate: 0.05, &self.random))
        let latitude = NumberTexts.within(-90...90, &self.random)
        add("latitude", latitude)
        let longitude = NumberTexts.within(-180...180, &self.random)
        add("longitude", longitude)
        func optionalNumber(_ key: String, _ range: ClosedRange<Double>) -> Double? {
            switch self.random.below(5) {
            case 0, 1: return nil
            case 2:
                add(key, "null")
                return nil
            default:
                let text = NumberTexts.within(range, &self.random)
                add(key, text)
                return Double(text)!
            }
        }
        func optionalInteger(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            switch self.random.below(5) {
            case 0, 1: return nil
            case 2:
                add(key, "null")
                return nil
            default:
                let value = Int.random(in: range, using: &self.random)
                add(key, NumberTexts.integer(value, &self.random))
                return value
            }
        }
        let altitude = optionalNumber("altitude", -100_000...100_000)
        let angle = optionalNumber("angle", 0...360)
        let speed = optionalNumber("speed", 0...2000)
        let satellites = optionalInteger("satellites", 0...255)
        let priority = optionalInteger("priority", 0...2)
        var attributes: [UInt16: AttributeValue] = [:]
        switch self.random.below(8) {
        case 0, 1: break
        case 2: add("attributes", "null")
        default:
            let (text, values) = self.attributes()
            add("attributes", text)
            attributes = values
        }
        if self.random.chance(0.3) {
            var keys = Self.unknownKeys
            for _ in 0...self.random.below(3) {
                let key = keys.remove(at: self.random.below(keys.count))
                members.append((JSONText.quoted(key, escapeRate: 0.2, &self.random), self.anyValue(depth: 2)))
            }
        }
        members.shuffle(using: &self.random)
        let object = JSONText.space(&self.random) + JSONText.object(members, &self.random)
        let text = object + JSONText.space(&self.random)
        let position = Position(
            deviceID: String(decoding: deviceID, as: UTF8.self),
            timestamp: timestamp,
            latitude: Double(latitude)!,
            longitude: Double(longitude)!,
            altitude: altitude,
            angle: angle,
            speed: speed,
            satellites: satellites,
            priority: priority,
            attributes: PositionAttributes(attributes)
        )
        return GeneratedPayload(
            deviceID: deviceID,
            payload: Array(text.utf8),
            expected: position,
            objectLength: object.utf8.count
        )
    }

    /// A contract key as JSON text, sometimes with escapes.
    private mutating func key(_ name: String) -> String {
        JSONText.quoted(name, escapeRate: 0.05, &self.random)
    }

    /// 1–64 bytes of printable ASCII, mostly IMEI-like digits.
    private mutating func deviceID() -> [UInt8] {
        if self.random.chance(0.5) {
            return (0..<15).map { _ in UInt8(ascii: "0") + UInt8(self.random.below(10)) }
        }
        let count = self.random.chance(0.1) ? 64 : self.random.below(20) + 1
        return (0..<count).map { _ in UInt8(0x20 + self.random.below(0x7F - 0x20)) }
    }

    /// A valid timestamp text and its instant.
    private mutating func timestamp() -> (String, Int64) {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        while true {
            let year = self.random.chance(0.8) ? 1970 + self.random.below(130) : self.random.below(9999) + 1
            let month = self.random.below(12) + 1
            let day = self.random.below(ReferenceTimestamp.days(month, year)) + 1
            let (hour, minute, second) = (self.random.below(24), self.random.below(60), self.random.below(60))
            let fractionDigits = self.random.chance(0.3) ? 0 : self.random.below(9) + 1
            let fraction = NumberTexts.digits(fractionDigits, &self.random)
            var offsetSeconds = 0
            var offset = "Z"
            if self.random.chance(0.5) {
                let (hours, minutes) = (self.random.below(24), self.random.below(60))
                let negative = self.random.chance(0.5)
                offset = (negative ? "-" : "+") + two(hours) + ":" + two(minutes)
                offsetSeconds = (hours * 3600 + minutes * 60) * (negative ? -1 : 1)
            }
            let micros = Int64((fraction + "000000").prefix(6))!
            let yearText = String(repeating: "0", count: 4 - String(year).count) + String(year)
            let text =
                "\(yearText)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))"
                + (fraction.isEmpty ? "" : "." + fraction) + offset
            let seconds = hour * 3600 + minute * 60 + second - offsetSeconds
            if let instant = ReferenceTimestamp.instant(
                year: year,
                month: month,
                day: day,
                second: seconds,
                fraction: micros
            ) {
                return (text, instant)
            }
        }
    }

    /// An `attributes` object and the values it holds.
    private mutating func attributes() -> (String, [UInt16: AttributeValue]) {
        var values: [UInt16: AttributeValue] = [:]
        var members: [(key: String, value: String)] = []
        for _ in 0..<self.random.below(6) {
            let id: UInt16 =
                switch self.random.below(10) {
                case 0: 0
                case 1: 65535
                case 2...6: UInt16(self.random.below(500))
                default: UInt16.random(in: 0...65535, using: &self.random)
                }
            guard values[id] == nil else { continue }
            let key = JSONText.quoted(String(id), escapeRate: 0.1, &self.random)
            switch self.random.below(3) {
            case 0:
                var text = NumberTexts.any(&self.random)
                while Double(text)?.isFinite != true { text = NumberTexts.any(&self.random) }
                values[id] = .number(text)
                members.append((key, text))
            case 1:
                let edges = ["0", "18446744073709551615", "-9223372036854775808", "9223372036854775807", "-1"]
                let text =
                    self.random.chance(0.3)
                    ? edges[self.random.below(edges.count)]
                    : self.random.chance(0.5)
                        ? String(self.random.next()) : String(Int64(bitPattern: self.random.next()))
                values[id] = .bigint(text)
                members.append((key, self.tagObject("$bigint", text)))
            default:
                let bytes = (0..<self.random.below(13)).map { _ in UInt8(self.random.below(256)) }
                let text = Data(bytes).base64EncodedString()
                values[id] = .bytes(text)
                members.append((key, self.tagObject("$bytes", text)))
            }
        }
        return (JSONText.object(members, &self.random), values)
    }

    /// `{"<tag>": "<value>"}` with random whitespace and escapes.
    private mutating func tagObject(_ tag: String, _ value: String) -> String {
        let tagKey = JSONText.quoted(tag, escapeRate: 0.05, &self.random)
        return JSONText.object([(tagKey, JSONText.quoted(value, escapeRate: 0.1, &self.random))], &self.random)
    }

    /// Any JSON value (the value of an unknown key, which is `depth` 2): nested up to `depth` more levels;
    /// at depth 2, sometimes arrays nested up to the decoder's limit.
    mutating func anyValue(depth: Int) -> String {
        switch self.random.below(depth > 0 ? 8 : 5) {
        case 0: return NumberTexts.any(&self.random)
        case 1: return JSONText.quoted(JSONText.randomString(&self.random), escapeRate: 0.2, &self.random)
        case 2: return ["true", "false", "null"][self.random.below(3)]
        case 3: return depth == 2 && self.random.chance(0.3) ? self.deepArray() : "\"\""
        case 4: return self.random.chance(0.3) ? "1e400" : "-0"
        case 5:
            let values = (0..<self.random.below(4)).map { _ in self.anyValue(depth: depth - 1) }
            let separator = JSONText.space(&self.random) + "," + JSONText.space(&self.random)
            return "[" + JSONText.space(&self.random) + values.joined(separator: separator) + "]"
        default:
            var keys = ["a", "b", "é", "e\u{301}", "$bytes", "0", "\u{1F}", "😀"]
            var members: [(key: String, value: String)] = []
            for _ in 0..<self.random.below(4) {
                let key = keys.remove(at: self.random.below(keys.count))
                members.append((JSONText.quoted(key, escapeRate: 0.2, &self.random), self.anyValue(depth: depth - 1)))
            }
            return JSONText.object(members, &self.random)
        }
    }

    /// Arrays nested 1–127 deep (the payload object is depth 1, and the decoder allows 128).
    private mutating func deepArray() -> String {
        let depth = self.random.chance(0.5) ? 120 + self.random.below(8) : self.random.below(127) + 1
        return String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }
}
