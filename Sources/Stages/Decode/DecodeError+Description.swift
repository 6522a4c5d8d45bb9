extension DecodeError.Reason: CustomStringConvertible {
    /// The reason on one line, without the entry id.
    public var description: String { self.message }

    var message: String {
        // `quoted` for strings, `plain` for paths and number text: both escaped and cut for one log line.
        let quoted = DecodeError.quoted
        let plain = DecodeError.printable
        switch self {
        case .missingEntryField(let name):
            return "the stream entry has no \(quoted(name)) field; the producer must XADD both device_id and payload"
        case .notUTF8(let offset):
            return "payload is not valid UTF-8 at byte offset \(offset)"
        case .notJSON(let offset, let expected, let found):
            return "payload is not JSON: at byte offset \(offset) expected \(expected), found \(found)"
        case .notObject(let found):
            return "payload is \(found.withArticle), expected a JSON object"
        case .missingField(let path):
            return "\(plain(path)) is missing; it is required"
        case .wrongType(let path, let expected, let found):
            return "\(plain(path)) is \(found.withArticle), expected \(expected)"
        case .outOfRange(let path, let value, let range):
            return "\(plain(path)) is \(plain(value)), outside \(DecodeError.format(range))"
        case .notFinite(let path, let value):
            return "\(plain(path)) is \(plain(value)), which is not a finite double"
        case .notInteger(let path, let value):
            return "\(plain(path)) is \(plain(value)), expected an integer"
        case .invalidTimestamp(let path, let text, let problem):
            return "\(plain(path)) is \(quoted(text)), not a valid timestamp: \(problem); "
                + "expected ISO-8601 like 2026-05-02T16:36:52.123Z or 2026-05-02T18:36:52+02:00"
        case .invalidDeviceID(let path, let value, let problem):
            let why =
                switch problem {
                case .empty: "it is empty"
                case .tooLong(let count): "it has \(count) bytes"
                case .notPrintableASCII(let offset, let byte):
                    "byte \(offset) is \(DecodeError.hex(byte))"
                }
            return "\(plain(path)) \(quoted(value)) is invalid: \(why); expected 1-64 bytes of printable ASCII"
        case .deviceIDMismatch(let entry, let payload):
            return "payload.device_id \(quoted(payload)) differs from the entry's device_id field \(quoted(entry)); "
                + "both must be the same"
        case .invalidAttributeKey(let key):
            return "payload.attributes has the key \(quoted(key)), expected an IO element id: "
                + "a decimal integer 0-65535 without leading zeros"
        case .invalidAttributeValue(let path, let problem):
            let found =
                switch problem {
                case .wrongKind(let kind): kind.withArticle
                case .notFinite(let text): "\(plain(text)), which is not a finite double"
                case .notATag(let key): "an object with the key \(quoted(key)), which is not a tag"
                }
            return "\(plain(path)) is \(found), expected a finite number, "
                + #"{"$bigint": "<decimal>"} or {"$bytes": "<base64>"}"#
        case .unknownTag(let path, let tag):
            return "\(plain(path)) has the unknown tag \(quoted(tag)); the known tags are $bigint and $bytes"
        case .invalidTagObject(let path, let count):
            return "\(plain(path)) is a tag object with \(count) keys, expected exactly one ($bigint or $bytes)"
        case .invalidBigint(let path, let text, let problem):
            let why =
                switch problem {
                case .notDecimal: "not an optional '-' followed by decimal digits"
                case .leadingZero: "it has a leading zero"
                case .outOfRange: "outside -9223372036854775808...18446744073709551615"
                }
            return "\(plain(path)) is \(quoted(text)): \(why); expected a 64-bit integer in decimal"
        case .invalidBytes(let path, let text, let problem):
            let why =
                switch problem {
                case .length(let length): "its length \(length) is not a multiple of 4"
                case .character(let offset): "character \(offset) is not in the standard base64 alphabet"
                case .padding: "'=' is only allowed as the last one or two characters"
                case .nonCanonical: "the bits under the padding are not zero"
                }
            return "\(plain(path)) is \(quoted(text)): \(why); expected standard padded base64"
        case .duplicateKey(let path, let key):
            return "\(plain(path)) has the key \(quoted(key)) twice; each key may appear once"
        }
    }
}

extension DecodeError.JSONKind {
    var withArticle: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .boolean: "a boolean"
        case .null: "null"
        }
    }
}

extension DecodeError {
    /// Values longer than this are cut in messages (the ``Reason`` keeps them whole).
    static let messageValueLimit = 80

    /// `text` fit for one log line: control characters and non-ASCII escaped, cut past
    /// ``messageValueLimit`` characters.
    static func printable(_ text: String) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == Self.messageValueLimit {
                result += "..."
                break
            }
            count += 1
            switch scalar.value {
            case 0x20...0x7E: result.unicodeScalars.append(scalar)
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            default: result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return result
    }

    /// `0x0A`.
    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0x0\(digits)" : "0x\(digits)"
    }

    /// `text` in double quotes, fit for one log line.
    static func quoted(_ text: String) -> String {
        "\"\(Self.printable(text))\""
    }

    /// `[-90, 90]`: integral bounds without a fraction.
    static func format(_ range: ClosedRange<Double>) -> String {
        func bound(_ value: Double) -> String {
            if value.magnitude < 1e15, Double(Int64(value)) == value { return String(Int64(value)) }
            return String(value)
        }
        return "[\(bound(range.lowerBound)), \(bound(range.upperBound))]"
    }
}
