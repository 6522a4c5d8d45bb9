/// A reply from Redis (RESP2).
public enum RedisReply: Sendable, Hashable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// A bulk or status reply as text.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// One argument of a Redis command: text, raw bytes or a stream id, kept as given (neither is copied into
/// bytes: an `XACK` of a thousand ids makes no allocation per id).
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral {
    private enum Storage: Sendable {
        case text(String)
        case bytes([UInt8])
        case streamID(StreamID)
    }

    private var storage: Storage

    public init(_ text: String) { self.storage = .text(text) }
    public init(bytes: [UInt8]) { self.storage = .bytes(bytes) }
    public init(_ id: StreamID) { self.storage = .streamID(id) }
    public init(stringLiteral value: String) { self.init(value) }

    /// The argument's bytes (text as UTF-8).
    public var bytes: [UInt8] {
        switch self.storage {
        case .text(let text): Array(text.utf8)
        case .bytes(let bytes): bytes
        case .streamID(let id): Array(id.description.utf8)
        }
    }

    /// Equal when the bytes are: text and the same bytes given raw are one argument to Redis.
    public static func == (left: Self, right: Self) -> Bool { left.bytes == right.bytes }

    public func hash(into hasher: inout Hasher) { hasher.combine(self.bytes) }

    /// Calls `body` with the argument's bytes, valid only during the call.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch self.storage {
        case .text(var text): text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .bytes(let bytes): bytes.withUnsafeBytes(body)
        case .streamID(let id):
            withUnsafeTemporaryAllocation(byteCount: StreamID.maxTextCount, alignment: 1) { buffer in
                body(UnsafeRawBufferPointer(rebasing: buffer[..<id.write(into: buffer)]))
            }
        }
    }
}
