import NIOCore

/// The timing messages of the live protocol (CONTRACT §6.5) and the timing members of `subscribed`.
extension LiveMessage {
    /// `{"type":"crossing","topic":…,"crossing":{…}}` for an upsert, `{"type":"crossing-removed","topic":…,
    /// "entry_id":…,"checkpoint_id":…}` for a remove; built once per change.
    static func timing(_ change: CrossingChange, topic: LiveTopic) -> ByteBuffer {
        ServerFrame.make(.text, capacity: 256) { buffer in
            switch change.operation {
            case .upsert:
                buffer.writeStaticString("{\"type\":\"crossing\",\"topic\":")
                LiveJSON.writeString(topic.name, into: &buffer)
                buffer.writeStaticString(",\"crossing\":")
                buffer.writeString(change.crossing.json)
            case .remove:
                buffer.writeStaticString("{\"type\":\"crossing-removed\",\"topic\":")
                LiveJSON.writeString(topic.name, into: &buffer)
                buffer.writeStaticString(",\"entry_id\":")
                LiveJSON.writeString(change.crossing.entry, into: &buffer)
                buffer.writeStaticString(",\"checkpoint_id\":")
                LiveJSON.writeString(change.crossing.checkpoint, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// Writes `,"course":[…],"entries":[…],"crossings":[…]`.
    static func writeTiming(_ timing: LiveTimingSnapshot, into buffer: inout ByteBuffer) {
        Self.writeList(",\"course\":[", timing.course, into: &buffer) { checkpoint, buffer in
            buffer.writeStaticString("{\"id\":")
            LiveJSON.writeString(checkpoint.id, into: &buffer)
            buffer.writeStaticString(",\"seq\":")
            LiveJSON.writeInteger(checkpoint.seq, into: &buffer)
            buffer.writeStaticString(",\"name\":")
            LiveJSON.writeString(checkpoint.name, into: &buffer)
            buffer.writeStaticString(",\"kind\":")
            LiveJSON.writeString(checkpoint.kind.rawValue, into: &buffer)
            buffer.writeStaticString(",\"lat1\":")
            LiveJSON.writeNumber(checkpoint.lat1, into: &buffer)
            buffer.writeStaticString(",\"lon1\":")
            LiveJSON.writeNumber(checkpoint.lon1, into: &buffer)
            buffer.writeStaticString(",\"lat2\":")
            LiveJSON.writeNumber(checkpoint.lat2, into: &buffer)
            buffer.writeStaticString(",\"lon2\":")
            LiveJSON.writeNumber(checkpoint.lon2, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "}"))
        }
        Self.writeList(",\"entries\":[", timing.entries, into: &buffer) { entry, buffer in
            buffer.writeStaticString("{\"id\":")
            LiveJSON.writeString(entry.id, into: &buffer)
            buffer.writeStaticString(",\"name\":")
            if let name = entry.name {
                LiveJSON.writeString(name, into: &buffer)
            } else {
                buffer.writeStaticString("null")
            }
            Self.writeList(",\"devices\":[", entry.devices, into: &buffer) { LiveJSON.writeString($0, into: &$1) }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
        Self.writeList(",\"crossings\":[", timing.crossings, into: &buffer) { $1.writeString($0.json) }
    }

    /// Writes `opening` (which ends with `[`), the elements separated by commas, and `]`.
    private static func writeList<Element>(
        _ opening: StaticString,
        _ elements: [Element],
        into buffer: inout ByteBuffer,
        _ writeElement: (Element, inout ByteBuffer) -> Void
    ) {
        buffer.writeStaticString(opening)
        for (index, element) in elements.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            writeElement(element, &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }
}
