/// Reads the `crossing` field of a `timing:crossings` entry (CONTRACT §6.5, see ``CrossingRecord/json``):
/// a strict JSON object with `entry_id`, `checkpoint_id`, `device_id` and `ts` strings and an integer `seq`,
/// each key once; other keys are checked as JSON and ignored.
///
/// - Important: The identifiers are returned as written; ``CrossingChange/decode(_:)`` checks they are UUIDs.
struct CrossingJSONReader {
    typealias Reason = CrossingStreamError.Reason

    /// The crossing's values, before its ids are checked.
    struct Fields {
        var entry: String
        var checkpoint: String
        var seq: Int
        var device: String
        var timestamp: Int64
    }

    private var reader: JSONReader
    private var strings: [String: String] = [:]
    private var seq: Int?

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.reader = JSONReader(bytes)
    }

    /// The crossing in `bytes`, or the first problem met in reading order.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(Reason) -> Fields {
        if let offset = UTF8Validation.firstInvalidOffset(bytes) { throw .notUTF8(field: "crossing", offset: offset) }
        var crossing = CrossingJSONReader(bytes)
        try crossing.readObject()
        return try crossing.fields()
    }

    private mutating func readObject() throws(Reason) {
        let kind = try Self.json { () throws(JSONReader.Reason) in try self.reader.peekKind() }
        guard kind == .object else { throw .notObject(found: kind) }
        try Self.json { () throws(JSONReader.Reason) in try self.reader.beginObject(depth: 1) }
        var isFirst = true
        var seen: Set<String> = []
        while let key = try Self.json({ () throws(JSONReader.Reason) in try self.reader.nextKey(isFirst: &isFirst) }) {
            let name = self.reader.text(of: key)
            guard seen.insert(name).inserted else { throw .duplicateKey(key: name) }
            try self.readValue(of: name)
        }
        try Self.json { () throws(JSONReader.Reason) in try self.reader.expectEnd() }
    }

    private mutating func readValue(of key: String) throws(Reason) {
        switch key {
        case "entry_id", "checkpoint_id", "device_id", "ts":
            let found = try Self.json { () throws(JSONReader.Reason) in try self.reader.peekKind() }
            guard found == .string else { throw .wrongType(key: key, expected: "a string", found: found) }
            let token = try Self.json { () throws(JSONReader.Reason) in try self.reader.readString() }
            self.strings[key] = self.reader.text(of: token)
        case "seq":
            let found = try Self.json { () throws(JSONReader.Reason) in try self.reader.peekKind() }
            guard found == .number else { throw .wrongType(key: key, expected: "an integer", found: found) }
            let number = try Self.json { () throws(JSONReader.Reason) in try self.reader.readNumber() }
            guard let value = Int32(exactly: number.value) else {
                throw .notInteger(key: key, value: self.reader.text(of: number))
            }
            self.seq = Int(value)
        default:
            try Self.json { () throws(JSONReader.Reason) in try self.reader.skipValue(path: key, depth: 1) }
        }
    }

    private func fields() throws(Reason) -> Fields {
        let entry = try self.string("entry_id")
        let checkpoint = try self.string("checkpoint_id")
        guard let seq = self.seq else { throw .missingKey(key: "seq") }
        var device = try self.string("device_id")
        if let problem = device.withUTF8({ PositionDecoder.deviceIDProblem($0) }) {
            throw .invalidDeviceID(value: device, problem: problem)
        }
        let ts = try self.string("ts")
        let timestamp: Int64
        do throws(Timestamp.ParseError) {
            timestamp = try Timestamp.parse(ts)
        } catch {
            throw .invalidTimestamp(text: ts, problem: error)
        }
        return Fields(entry: entry, checkpoint: checkpoint, seq: seq, device: device, timestamp: timestamp)
    }

    private func string(_ key: String) throws(Reason) -> String {
        guard let value = self.strings[key] else { throw .missingKey(key: key) }
        return value
    }

    /// Runs one step of the JSON reader, its syntax errors as this entry's.
    private static func json<Value>(_ step: () throws(JSONReader.Reason) -> Value) throws(Reason) -> Value {
        do throws(JSONReader.Reason) {
            return try step()
        } catch {
            switch error {
            case .notJSON(let offset, let expected, let found):
                throw .notJSON(offset: offset, expected: expected, found: found)
            case .duplicateKey(let field, let key):
                throw .duplicateKey(key: "\(field).\(key)")
            default:
                throw .notJSON(offset: -1, expected: "JSON", found: "\(error)")
            }
        }
    }
}
