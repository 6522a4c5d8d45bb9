/// A topic of the live protocol: `event:<uuid>`, the UUID in its canonical 8-4-4-4-12 hex form.
///
/// - Important: `event` is always lower case: a client may write the UUID in either letter case, and the
///   server answers (and publishes) under the lower-case form, so one event is one topic.
struct LiveTopic: Hashable, Sendable {
    /// The event's id, a lower-case UUID.
    let event: String

    /// `event:<event>`, as the server writes it.
    var name: String { "event:" + self.event }

    /// The topic of an event id that is a UUID in either case; `nil` for anything else.
    init?(event: String) {
        guard let canonical = Self.canonicalUUID(event.utf8) else { return nil }
        self.event = canonical
    }

    /// The topic of an event id known to be a lower-case UUID (a ``LiveTopicDirectory`` key).
    init(canonicalEvent: String) {
        self.event = canonicalEvent
    }

    /// The topic named `name` (`event:<uuid>`); `nil` when it is not one.
    init?(name: String) {
        let prefix = "event:".utf8
        guard name.utf8.starts(with: prefix),
            let canonical = Self.canonicalUUID(name.utf8.dropFirst(prefix.count))
        else { return nil }
        self.event = canonical
    }

    /// The lower-case form of `text` when it is an 8-4-4-4-12 hex UUID; avoids a new string when it already
    /// is lower case.
    private static func canonicalUUID<Bytes: Collection<UInt8>>(_ text: Bytes) -> String? {
        guard text.count == 36 else { return nil }
        var hasUpperCase = false
        for (offset, byte) in text.enumerated() {
            switch offset {
            case 8, 13, 18, 23:
                guard byte == UInt8(ascii: "-") else { return nil }
            default:
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): break
                case UInt8(ascii: "A")...UInt8(ascii: "F"): hasUpperCase = true
                default: return nil
                }
            }
        }
        let uuid = String(decoding: text, as: UTF8.self)
        return hasUpperCase ? uuid.lowercased() : uuid
    }
}
