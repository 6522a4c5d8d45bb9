import Foundation

/// The second decoder the fuzz test compares ``PositionDecoder`` with: Foundation's `JSONSerialization` says
/// whether the payload is JSON, and CONTRACT §1's rules are checked again here on the objects it returns.
///
/// Where `JSONSerialization` and RFC 8259 (which the decoder follows) differ, one narrow rule each decides,
/// checked before or after `JSONSerialization` (found by probing `JSONSerialization` of swift-corelibs-foundation
/// with Swift 6.3.1, and by this test; the summary counts how often each applied):
/// - **BOM**: `JSONSerialization` skips a leading UTF-8 byte order mark; RFC 8259 §8.1 forbids one:
///   rejected.
/// - **NUL**: `JSONSerialization` takes a 0x00 byte as the sign of UTF-16 or UTF-32 and reads the bytes so;
///   a raw 0x00 is valid nowhere in UTF-8 JSON (not whitespace, and unescaped in no string): rejected.
/// - **Trailing comma**: `JSONSerialization` accepts `[1,]` and `{"a":1,}`; RFC 8259 does not: a `,`
///   followed (after whitespace) by `]` or `}` outside strings is rejected.
/// - **Overflow**: `JSONSerialization` refuses a number beyond the largest double (`1e400`); RFC 8259 §6
///   allows any magnitude, and the decoder reads it as infinite (refused in a field or an attribute, ignored
///   under an unknown key). Each such number (a maximal run of number bytes outside strings that matches
///   the number grammar) is replaced by `0` in the text given to `JSONSerialization`; its value is then
///   taken from the original text.
/// - **U+FEFF**: `JSONSerialization` drops a U+FEFF that starts a string's text or directly follows an
///   escape in it (it reads each run of a string's text as a document, whose byte order mark it skips):
///   such a U+FEFF is given to it escaped, as `\uFEFF`, which it keeps.
/// - **Number values**: an `NSNumber` of a long mantissa is an `NSDecimalNumber` whose `doubleValue` is
///   not the nearest double; the contract's ranges apply to the nearest double, so values are
///   `Double(text)` of the number's original text (from ``JSONOutline``), and `true`/`false` are told
///   from numbers by their text too.
/// - **Repeated keys**: `JSONSerialization` keeps the last; the decoder refuses them anywhere in the
///   payload: rejected when an object of ``JSONOutline`` has a key twice (compared as Unicode scalars).
/// - **Nesting**: `JSONSerialization` allows 512 levels, the decoder 128 (RFC 8259 §9 allows a limit):
///   deeper is rejected.
enum ReferenceDecoder {
    enum Outcome {
        case accepted(Position)
        case rejected(String)
        /// `JSONSerialization` accepted a text that ``JSONOutlineReader`` cannot read: a bug of this program
        /// (or a leniency of Foundation's without its rule), never an agreement.
        case unreadable
    }

    /// The position the entry with `device_id` `deviceID` (valid) and payload `payload` holds, or why
    /// there is none.
    static func decode(deviceID: [UInt8], payload: [UInt8]) -> Outcome {
        var rules: [String: Int] = [:]
        return Self.decode(deviceID: deviceID, payload: payload, rules: &rules)
    }

    /// ``decode(deviceID:payload:)``, counting in `rules` how often each rule (above) applied.
    static func decode(deviceID: [UInt8], payload: [UInt8], rules: inout [String: Int]) -> Outcome {
        guard String(validating: payload, as: UTF8.self) != nil else { return .rejected("not UTF-8") }
        if payload.starts(with: [0xEF, 0xBB, 0xBF]) {
            rules["BOM", default: 0] += 1
            return .rejected("rule BOM")
        }
        if payload.contains(0) {
            rules["NUL", default: 0] += 1
            return .rejected("rule NUL")
        }
        let lexical = Self.lexicalPass(payload)
        if let offset = lexical.trailingComma {
            rules["trailing comma", default: 0] += 1
            return .rejected("rule trailing comma at byte \(offset)")
        }
        if lexical.overflows > 0 { rules["overflow", default: 0] += 1 }
        if lexical.byteOrderMarks > 0 { rules["U+FEFF", default: 0] += 1 }
        let text = lexical.text
        let foundation: Any
        do {
            foundation = try JSONSerialization.jsonObject(with: Data(text), options: [.fragmentsAllowed])
        } catch {
            return .rejected("JSONSerialization: \(error)")
        }
        var reader = JSONOutlineReader(payload)
        guard let outline = reader.read() else { return .unreadable }
        if let key = reader.repeatedKey {
            rules["repeated key", default: 0] += 1
            return .rejected("rule repeated key \(String(decoding: key, as: UTF8.self).debugDescription)")
        }
        if reader.maxDepth > 128 {
            rules["nesting", default: 0] += 1
            return .rejected("rule nesting \(reader.maxDepth) deep")
        }
        do throws(Rejection) {
            return .accepted(try Self.position(foundation, outline, deviceID: deviceID))
        } catch {
            return .rejected(error.reason)
        }
    }

    struct Rejection: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// CONTRACT §1 on the objects.
    private static func position(
        _ foundation: Any,
        _ outline: JSONOutline,
        deviceID: [UInt8]
    ) throws(Rejection)
        -> Position
    {
        guard let object = foundation as? [String: Any] else { throw Rejection("not an object") }
        guard let device = object["device_id"] as? String, Array(device.utf8) == deviceID else {
            throw Rejection("device_id missing, not a string or not the entry's")
        }
        guard let timestamp = (object["timestamp"] as? String).flatMap(ReferenceTimestamp.microseconds) else {
            throw Rejection("timestamp missing, not a string or not a timestamp")
        }
        func number(_ key: String, _ range: ClosedRange<Double>, optional: Bool) throws(Rejection) -> Double? {
            guard let value = object[key], !(value is NSNull) else {
                if optional { return nil }
                throw Rejection("\(key) missing or null")
            }
            guard value is NSNumber, case .number(let text) = outline.member(key), let double = Double(text) else {
                throw Rejection("\(key) not a number")
            }
            guard double.isFinite, range.contains(double) else { throw Rejection("\(key) out of range") }
            return double
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws(Rejection) -> Int? {
            let range = Double(range.lowerBound)...Double(range.upperBound)
            guard let double = try number(key, range, optional: true) else { return nil }
            guard double.rounded(.towardZero) == double else { throw Rejection("\(key) not an integer") }
            return Int(double)
        }
        return Position(
            deviceID: String(decoding: deviceID, as: UTF8.self),
            timestamp: timestamp,
            latitude: try number("latitude", -90...90, optional: false)!,
            longitude: try number("longitude", -180...180, optional: false)!,
            altitude: try number("altitude", -100_000...100_000, optional: true),
            angle: try number("angle", 0...360, optional: true),
            speed: try number("speed", 0...2000, optional: true),
            satellites: try integer("satellites", 0...255),
            priority: try integer("priority", 0...2),
            attributes: try Self.attributes(object["attributes"], outline.member("attributes"))
        )
    }

    /// `attributes`: absent, `null` or id → number, `{"$bigint": …}` or `{"$bytes": …}`.
    private static func attributes(_ foundation: Any?, _ outline: JSONOutline?) throws(Rejection) -> PositionAttributes
    {
        guard let foundation, !(foundation is NSNull) else { return [:] }
        guard let object = foundation as? [String: Any], let outline else {
            throw Rejection("attributes not an object")
        }
        var values: [UInt16: AttributeValue] = [:]
        for (key, value) in object {
            guard (1...5).contains(key.utf8.count), key.utf8.allSatisfy({ (48...57).contains($0) }),
                key == "0" || !key.hasPrefix("0"), let id = UInt16(key)
            else { throw Rejection("attribute key \(key.debugDescription) not an id") }
            if value is NSNumber {
                guard case .number(let text) = outline.member(key), Double(text)?.isFinite == true else {
                    throw Rejection("attribute \(key) not a finite number")
                }
                values[id] = .number(text)
                continue
            }
            guard let tag = value as? [String: Any], tag.count == 1, let member = tag.first,
                let text = member.value as? String
            else { throw Rejection("attribute \(key) neither a number nor a tag object of a string") }
            switch member.key {
            case "$bigint":
                guard Self.isBigint(text) else { throw Rejection("attribute \(key): not a $bigint") }
                values[id] = .bigint(text)
            case "$bytes":
                guard let data = Data(base64Encoded: text), data.base64EncodedString() == text else {
                    throw Rejection("attribute \(key): not canonical padded base64")
                }
                values[id] = .bytes(text)
            default:
                throw Rejection("attribute \(key): unknown tag \(member.key.debugDescription)")
            }
        }
        return PositionAttributes(values)
    }

    /// An optional `-` and decimal digits without leading zeros (`-0` refused) in −2^63 … 2^64−1.
    static func isBigint(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }),
            digits == "0" ? !text.hasPrefix("-") : !digits.hasPrefix("0")
        else { return false }
        return text.hasPrefix("-") ? Int64(text) != nil : UInt64(text) != nil
    }

    /// The text to give `JSONSerialization` (each overflowing number replaced by `0`, U+FEFF escaped at the
    /// start of a string or after an escape) and the offset of the first trailing comma, if any. Strings are
    /// told by their quotes and backslashes.
    static func lexicalPass(
        _ bytes: [UInt8]
    ) -> (text: [UInt8], trailingComma: Int?, overflows: Int, byteOrderMarks: Int) {
        // Replacements (a range of `bytes` and its new text), found first: most payloads need none.
        var replacements: [(range: Range<Int>, text: [UInt8])] = []
        let count = bytes.count
        var offset = 0
        while offset < count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                var segmentStart = true
                while offset < count, bytes[offset] != UInt8(ascii: "\"") {
                    if segmentStart, offset + 2 < count, bytes[offset] == 0xEF, bytes[offset + 1] == 0xBB,
                        bytes[offset + 2] == 0xBF
                    {
                        replacements.append((offset..<(offset + 3), Array("\\uFEFF".utf8)))
                        offset += 3
                        continue
                    }
                    if bytes[offset] == UInt8(ascii: "\\") {
                        offset += offset + 1 < count && bytes[offset + 1] == UInt8(ascii: "u") ? 6 : 2
                        segmentStart = true
                    } else {
                        offset += 1
                        segmentStart = false
                    }
                }
                offset += 1
            } else if byte == UInt8(ascii: ",") {
                var next = offset + 1
                while next < count, JSONOutlineReader.isSpace(bytes[next]) { next += 1 }
                if next < count, bytes[next] == UInt8(ascii: "}") || bytes[next] == UInt8(ascii: "]") {
                    return (bytes, offset, 0, 0)
                }
                offset += 1
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                let start = offset
                var hasExponent = false
                while offset < count, NumberGrammar.isNumberByte(bytes[offset]) {
                    hasExponent = hasExponent || bytes[offset] | 0x20 == UInt8(ascii: "e")
                    offset += 1
                }
                // Without an exponent, only more than 308 digits can overflow.
                guard hasExponent || offset - start > 308 else { continue }
                let run = bytes[start..<offset]
                if NumberGrammar.matches(run), Double(String(decoding: run, as: UTF8.self))?.isInfinite == true {
                    replacements.append((start..<offset, [UInt8(ascii: "0")]))
                }
            } else {
                offset += 1
            }
        }
        guard !replacements.isEmpty else { return (bytes, nil, 0, 0) }
        let byteOrderMarks = replacements.count { $0.text.count > 1 }
        var text: [UInt8] = []
        var copied = 0
        for replacement in replacements {
            text += bytes[copied..<replacement.range.lowerBound]
            text += replacement.text
            copied = replacement.range.upperBound
        }
        return (text + bytes[copied...], nil, replacements.count - byteOrderMarks, byteOrderMarks)
    }
}
