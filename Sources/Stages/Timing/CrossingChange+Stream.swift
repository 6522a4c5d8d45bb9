/// A change of the `crossings` table as an entry of the Redis Stream `timing:crossings` (CONTRACT §6.5):
/// fields `event_id`, `op` (`upsert` | `remove`) and `crossing` (``CrossingRecord/json``; for `remove` the
/// row as it was).
///
/// ```swift
/// try await redis.append(to: "timing:crossings", fields: change.streamFields)
/// let change = try CrossingChange.decode(entry).get()
/// ```
///
/// - Important: ``decode(_:)`` never crashes on what a stream holds: a malformed entry is a
///   ``CrossingStreamError`` naming the entry and the first problem met, for the reader to report and skip.
extension CrossingChange {
    /// The entry's fields, in the order `event_id`, `op`, `crossing`, for `XADD`.
    public var streamFields: [StreamEntry.Field] {
        [
            StreamEntry.Field(name: "event_id", value: Array(self.crossing.event.utf8)),
            StreamEntry.Field(name: "op", value: Array(self.operation.rawValue.utf8)),
            StreamEntry.Field(name: "crossing", value: Array(self.crossing.json.utf8)),
        ]
    }

    /// The change an entry of the stream holds, or why it holds none.
    ///
    /// Accepted: `event_id` a UUID (either letter case); `op` exactly `upsert` or `remove`; `crossing` a UTF-8
    /// JSON object with each key once, whose `entry_id` and `checkpoint_id` are UUIDs, `seq` an integer
    /// (`2`, `2.0`) in the 32-bit range, `device_id` 1–64 bytes of printable ASCII, `ts` a timestamp as
    /// ``Timestamp/parse(_:)`` reads it. Other keys and fields are ignored.
    public static func decode(_ entry: StreamEntry) -> Result<CrossingChange, CrossingStreamError> {
        do throws(CrossingStreamError.Reason) {
            return .success(try Self.change(in: entry))
        } catch {
            return .failure(CrossingStreamError(entryID: entry.id, reason: error))
        }
    }

    private static func change(in entry: StreamEntry) throws(CrossingStreamError.Reason) -> CrossingChange {
        let event = try Self.uuid(try Self.text(of: "event_id", in: entry), field: "event_id")
        let op = try Self.text(of: "op", in: entry)
        guard let operation = Operation(rawValue: op) else { throw .unknownOperation(value: op) }
        guard let json = entry.value(of: "crossing") else { throw .missingField(name: "crossing") }
        let crossing = try json.withUnsafeBufferPointer { (bytes) throws(CrossingStreamError.Reason) in
            try CrossingJSONReader.read(bytes)
        }
        return CrossingChange(
            operation,
            CrossingRecord(
                event: event,
                entry: try Self.uuid(crossing.entry, field: "crossing.entry_id"),
                checkpoint: try Self.uuid(crossing.checkpoint, field: "crossing.checkpoint_id"),
                seq: crossing.seq,
                device: crossing.device,
                timestamp: crossing.timestamp
            )
        )
    }

    /// The UTF-8 text of the entry's field `name`.
    private static func text(of name: String, in entry: StreamEntry) throws(CrossingStreamError.Reason) -> String {
        guard let value = entry.value(of: name) else { throw .missingField(name: name) }
        let offset = value.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) }
        if let offset { throw .notUTF8(field: name, offset: offset) }
        return String(decoding: value, as: UTF8.self)
    }

    /// `text` when it is an 8-4-4-4-12 hex UUID (lower-cased by ``CrossingRecord``).
    private static func uuid(_ text: String, field: String) throws(CrossingStreamError.Reason) -> String {
        guard LiveTopic(event: text) != nil else { throw .notUUID(field: field, value: text) }
        return text
    }
}
