/// Why an entry of the stream `timing:crossings` is not a ``CrossingChange`` (CONTRACT §6.5): it names the
/// entry and the first problem met. A reader reports such an entry and skips it; it is never a crash.
public struct CrossingStreamError: Error, Hashable, CustomStringConvertible {
    /// The stream id of the malformed entry, e.g. `1714667812123-0`.
    public var entryID: StreamID
    /// What is wrong with it.
    public var reason: Reason

    public init(entryID: StreamID, reason: Reason) {
        self.entryID = entryID
        self.reason = reason
    }

    /// One line, e.g. `timing:crossings entry 1714667812123-0: op is "move", expected "upsert" or "remove"`.
    public var description: String {
        "timing:crossings entry \(self.entryID): \(self.reason)"
    }

    /// One kind of malformation. Keys of the `crossing` object are named `crossing.<key>`.
    public enum Reason: Error, Hashable, Sendable, CustomStringConvertible {
        /// The entry has no field `name` (`event_id`, `op` or `crossing`).
        case missingField(name: String)
        /// The field `field` is not UTF-8 at byte `offset`.
        case notUTF8(field: String, offset: Int)
        /// `event_id`, `crossing.entry_id` or `crossing.checkpoint_id` is not a UUID.
        case notUUID(field: String, value: String)
        /// `op` is neither `upsert` nor `remove`.
        case unknownOperation(value: String)
        /// `crossing` is not JSON: at byte `offset`, `expected` was expected and `found` found.
        case notJSON(offset: Int, expected: String, found: String)
        /// `crossing` is JSON but not an object.
        case notObject(found: DecodeError.JSONKind)
        /// `crossing` has no `key`.
        case missingKey(key: String)
        /// `crossing.<key>` holds the wrong kind of value.
        case wrongType(key: String, expected: String, found: DecodeError.JSONKind)
        /// `crossing` (or an object inside it) has `key` twice.
        case duplicateKey(key: String)
        /// `crossing.seq` is not an integer in the 32-bit range; `value` is its JSON text.
        case notInteger(key: String, value: String)
        /// `crossing.device_id` is empty, longer than 64 bytes or not printable ASCII.
        case invalidDeviceID(value: String, problem: DecodeError.DeviceIDProblem)
        /// `crossing.ts` is not an ISO-8601 timestamp.
        case invalidTimestamp(text: String, problem: Timestamp.ParseError)

        /// A stable snake_case label for metrics, one per case.
        public var code: String {
            switch self {
            case .missingField: "missing_entry_field"
            case .notUTF8: "not_utf8"
            case .notUUID: "not_uuid"
            case .unknownOperation: "unknown_op"
            case .notJSON: "not_json"
            case .notObject: "not_object"
            case .missingKey: "missing_field"
            case .wrongType: "wrong_type"
            case .duplicateKey: "duplicate_key"
            case .notInteger: "not_integer"
            case .invalidDeviceID: "invalid_device_id"
            case .invalidTimestamp: "invalid_timestamp"
            }
        }

        public var description: String {
            let quoted = DecodeError.quoted
            switch self {
            case .missingField(let name):
                return "the entry has no \(quoted(name)) field; the producer must XADD event_id, op and crossing"
            case .notUTF8(let field, let offset):
                return "\(field) is not valid UTF-8 at byte offset \(offset)"
            case .notUUID(let field, let value):
                return "\(field) is \(quoted(value)), expected a UUID"
            case .unknownOperation(let value):
                return "op is \(quoted(value)), expected \"upsert\" or \"remove\""
            case .notJSON(let offset, let expected, let found):
                return "crossing is not JSON: at byte offset \(offset) expected \(expected), found \(found)"
            case .notObject(let found):
                return "crossing is \(found.withArticle), expected a JSON object"
            case .missingKey(let key):
                return "crossing.\(key) is missing; it is required"
            case .wrongType(let key, let expected, let found):
                return "crossing.\(key) is \(found.withArticle), expected \(expected)"
            case .duplicateKey(let key):
                return "crossing has the key \(quoted(key)) twice; each key may appear once"
            case .notInteger(let key, let value):
                return "crossing.\(key) is \(DecodeError.printable(value)), expected a 32-bit integer"
            case .invalidDeviceID(let value, _):
                return "crossing.device_id \(quoted(value)) is invalid; expected 1-64 bytes of printable ASCII"
            case .invalidTimestamp(let text, let problem):
                return "crossing.ts is \(quoted(text)), not a valid timestamp: \(problem)"
            }
        }
    }
}
