import NIOCore

/// A client frame of the live protocol (CONTRACT §5): `{"type":"subscribe"|"unsubscribe","topic":"event:<id>"}`.
enum LiveRequest: Hashable, Sendable {
    case subscribe(LiveTopic)
    case unsubscribe(LiveTopic)
}

/// Why a client frame is not a request: the error frame to answer with. It never closes the socket.
struct LiveRequestError: Error, Hashable, Sendable {
    var code: LiveErrorCode
    /// The frame's `topic` when it had a string one, echoed in the error frame.
    var topic: String?
    var message: String
}

extension LiveRequest {
    /// Parses the payload of a text frame (or of a whole fragmented message).
    ///
    /// `bad-request`: not UTF-8 JSON, not an object, a `type` or `topic` twice or not a string, a `type`
    /// other than `subscribe` / `unsubscribe`, or no `topic`. `unknown-topic`: a topic that is not
    /// `event:<uuid>`. Other keys are ignored.
    static func parse(_ payload: ByteBuffer) -> Result<LiveRequest, LiveRequestError> {
        let read = payload.withUnsafeReadableBytes { raw in Self.fields(raw.assumingMemoryBound(to: UInt8.self)) }
        let fields: Fields
        switch read {
        case .success(let found): fields = found
        case .failure(let error): return .failure(error)
        }
        func failure(_ code: LiveErrorCode, _ message: String) -> Result<LiveRequest, LiveRequestError> {
            .failure(LiveRequestError(code: code, topic: fields.topic, message: message))
        }
        let expectedTypes = "expected \"subscribe\" or \"unsubscribe\""
        let isSubscribe: Bool
        switch fields.type {
        case "subscribe": isSubscribe = true
        case "unsubscribe": isSubscribe = false
        case nil: return failure(.badRequest, "the frame has no \"type\": \(expectedTypes)")
        case let other?: return failure(.badRequest, "unknown type \(Self.quoted(other)): \(expectedTypes)")
        }
        guard let topic = fields.topic else {
            return failure(.badRequest, "the frame has no \"topic\": expected \"event:<event-id>\"")
        }
        guard let parsed = LiveTopic(name: topic) else {
            return failure(.unknownTopic, "unknown topic: expected \"event:<event-id>\" with a UUID event id")
        }
        return .success(isSubscribe ? .subscribe(parsed) : .unsubscribe(parsed))
    }

    private struct Fields {
        var type: String?
        var topic: String?
    }

    private static func fields(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Fields, LiveRequestError> {
        func badRequest(_ message: String, topic: String? = nil) -> Result<Fields, LiveRequestError> {
            .failure(LiveRequestError(code: .badRequest, topic: topic, message: message))
        }
        if let offset = UTF8Validation.firstInvalidOffset(bytes) {
            return badRequest("the frame is not JSON: invalid UTF-8 at byte \(offset)")
        }
        var reader = JSONReader(bytes)
        var fields = Fields()
        var duplicate: String?
        var notString: String?
        do throws(JSONReader.Reason) {
            let kind = try reader.peekKind()
            guard kind == .object else { return badRequest("the frame is not a JSON object") }
            try reader.beginObject(depth: 1)
            var isFirst = true
            var seen: Set<String> = []
            while let key = try reader.nextKey(isFirst: &isFirst) {
                let name = reader.text(of: key)
                guard name == "type" || name == "topic" else {
                    try reader.skipValue(path: name, depth: 1)
                    continue
                }
                if !seen.insert(name).inserted { duplicate = duplicate ?? name }
                guard try reader.peekKind() == .string else {
                    notString = notString ?? name
                    try reader.skipValue(path: name, depth: 1)
                    continue
                }
                let value = reader.text(of: try reader.readString())
                if name == "type" { fields.type = value } else { fields.topic = value }
            }
            try reader.expectEnd()
        } catch {
            return badRequest("the frame is not JSON: \(error)")
        }
        if let duplicate { return badRequest("\"\(duplicate)\" appears twice", topic: fields.topic) }
        if let notString { return badRequest("\"\(notString)\" is not a string", topic: fields.topic) }
        return .success(fields)
    }

    /// `text` in quotes, cut to 64 characters, for an error message.
    private static func quoted(_ text: String) -> String {
        text.count <= 64 ? "\"\(text)\"" : "\"\(text.prefix(64))…\""
    }
}
