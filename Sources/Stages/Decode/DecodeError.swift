/// Why one telemetry stream entry is not a ``Position`` (CONTRACT §1 "Anything else … is a malformed entry").
///
/// A decode error names the entry and carries a ``Reason`` with everything needed to say what is wrong: the
/// field's path (`payload.attributes.385`), the offending value and what was allowed. ``Reason/code`` is a
/// stable snake_case label for metrics; ``description`` is a one-line message for logs.
///
/// - Important: A malformed entry is never a crash and never a row: ``PositionDecoder`` reports every
///   problem as a `DecodeError`, the first one met in reading order.
public struct DecodeError: Error, Hashable, CustomStringConvertible {
    /// The stream id of the malformed entry, e.g. `1714667812123-0`.
    public var entryID: StreamID
    /// What is wrong with it.
    public var reason: Reason

    public init(entryID: StreamID, reason: Reason) {
        self.entryID = entryID
        self.reason = reason
    }

    /// One line naming the entry, the field and what was expected, e.g.
    /// `entry 1714667812123-0: payload.latitude is 91.5, outside [-90, 90]`.
    public var description: String {
        "entry \(self.entryID): \(self.reason.message)"
    }
}

extension DecodeError {
    /// One kind of malformation, with its data. Field paths start at the entry (`device_id`, `payload`)
    /// and go down through the payload (`payload.attributes.16.$bigint`, `payload.extra[2]`).
    ///
    /// A reason is an `Error` so that the decoder's parts can throw it; ``PositionDecoder`` always wraps it
    /// into a ``DecodeError`` with the entry's id.
    public enum Reason: Error, Hashable, Sendable {
        /// The stream entry has no field `name` (`device_id` or `payload`).
        case missingEntryField(name: String)
        /// The payload is not valid UTF-8; `offset` is the first byte that is not.
        case notUTF8(offset: Int)
        /// The payload is not JSON (RFC 8259): at byte `offset`, `expected` was expected and `found` found.
        case notJSON(offset: Int, expected: String, found: String)
        /// The payload is JSON but not an object.
        case notObject(found: JSONKind)
        /// A required payload field (`device_id`, `timestamp`, `latitude`, `longitude`) is absent.
        case missingField(field: String)
        /// A field holds a JSON value of the wrong kind; `expected` says what it may hold, e.g. `number or null`.
        case wrongType(field: String, expected: String, found: JSONKind)
        /// A number outside its allowed closed range; `value` is the number's JSON text.
        case outOfRange(field: String, value: String, range: ClosedRange<Double>)
        /// A number too large for a double (`1e400`); `value` is its JSON text.
        case notFinite(field: String, value: String)
        /// A number with a fraction where an integer is required (`satellites`, `priority`).
        case notInteger(field: String, value: String)
        /// A timestamp that is not the contract's ISO-8601 form or not a real instant.
        case invalidTimestamp(field: String, text: String, problem: Timestamp.ParseError)
        /// A device id that is empty, longer than 64 bytes or not printable ASCII; `field` is `device_id`
        /// (the entry field) or `payload.device_id`, `value` the id as text (lossy for non-UTF-8 bytes).
        case invalidDeviceID(field: String, value: String, problem: DeviceIDProblem)
        /// The entry field `device_id` and `payload.device_id` differ.
        case deviceIDMismatch(entry: String, payload: String)
        /// An `attributes` key that is not an IO element id: a decimal integer 0–65535 without leading zeros.
        case invalidAttributeKey(key: String)
        /// An attribute value that is neither a finite number nor a tag object.
        case invalidAttributeValue(field: String, problem: AttributeValueProblem)
        /// A tag object whose one key is a `$` tag other than `$bigint` and `$bytes`.
        case unknownTag(field: String, tag: String)
        /// A tag object (an object as an attribute value) with `count` keys instead of exactly one.
        case invalidTagObject(field: String, count: Int)
        /// A `$bigint` that is not decimal digits or not in −2^63 … 2^64−1.
        case invalidBigint(field: String, text: String, problem: BigintProblem)
        /// A `$bytes` that is not standard padded base64.
        case invalidBytes(field: String, text: String, problem: BytesProblem)
        /// The object at `field` has `key` twice.
        case duplicateKey(field: String, key: String)

        /// A stable snake_case label for metrics and logs, one per case.
        public var code: String {
            switch self {
            case .missingEntryField: "missing_entry_field"
            case .notUTF8: "not_utf8"
            case .notJSON: "not_json"
            case .notObject: "not_object"
            case .missingField: "missing_field"
            case .wrongType: "wrong_type"
            case .outOfRange: "out_of_range"
            case .notFinite: "not_finite"
            case .notInteger: "not_integer"
            case .invalidTimestamp: "invalid_timestamp"
            case .invalidDeviceID: "invalid_device_id"
            case .deviceIDMismatch: "device_id_mismatch"
            case .invalidAttributeKey: "invalid_attribute_key"
            case .invalidAttributeValue: "invalid_attribute_value"
            case .unknownTag: "unknown_tag"
            case .invalidTagObject: "invalid_tag_object"
            case .invalidBigint: "invalid_bigint"
            case .invalidBytes: "invalid_bytes"
            case .duplicateKey: "duplicate_key"
            }
        }
    }

    /// The kind of a JSON value.
    public enum JSONKind: String, Hashable, Sendable {
        case object, array, string, number, boolean, null
    }

    /// What is wrong with a device id.
    public enum DeviceIDProblem: Hashable, Sendable {
        /// Zero bytes.
        case empty
        /// More than 64 bytes.
        case tooLong(byteCount: Int)
        /// The byte at `offset` is outside printable ASCII (0x20–0x7E).
        case notPrintableASCII(offset: Int, byte: UInt8)
    }

    /// What is wrong with an attribute value.
    public enum AttributeValueProblem: Hashable, Sendable {
        /// A string, array, boolean or null.
        case wrongKind(JSONKind)
        /// A number too large for a double; its JSON text.
        case notFinite(String)
        /// An object whose key is not a `$` tag.
        case notATag(key: String)
    }

    /// What is wrong with a `$bigint`.
    public enum BigintProblem: Hashable, Sendable {
        /// Not an optional `-` followed by one or more decimal digits (empty, `+`, spaces, other characters).
        case notDecimal
        /// A leading zero (`007`, `-0`): only `0` itself may start with one.
        case leadingZero
        /// Outside −9223372036854775808 … 18446744073709551615.
        case outOfRange
    }

    /// What is wrong with a `$bytes`.
    public enum BytesProblem: Hashable, Sendable {
        /// The length is not a multiple of 4.
        case length(Int)
        /// The character at `offset` is not in the standard alphabet (`A–Z a–z 0–9 + /`).
        case character(offset: Int)
        /// `=` somewhere else than the last one or two characters.
        case padding
        /// The bits the padding covers are not zero (not the canonical encoding of any bytes).
        case nonCanonical
    }
}
