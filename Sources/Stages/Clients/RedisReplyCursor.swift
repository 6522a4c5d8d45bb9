import CHiredis

/// Reads one complete reply out of a connection's reply arena (see `flowrun_reply_arena` in CHiredis's
/// shim): the reply's elements as nodes in pre-order, an array's elements right after it.
///
/// - Important: Valid only until the connection reads its next reply (the arena is then reset and
///   reused): copy out what you keep. Used only on the connection's own thread.
public struct RedisReplyCursor {
    /// One element of the reply.
    public enum Node {
        case string(UnsafeRawBufferPointer)
        case status(UnsafeRawBufferPointer)
        case error(UnsafeRawBufferPointer)
        case integer(Int64)
        case null
        /// An array of this many elements, which are the next nodes (each with its own elements).
        case array(count: Int)
    }

    private let arena: UnsafeMutablePointer<flowrun_reply_arena>
    private var index: Int

    init(arena: UnsafeMutablePointer<flowrun_reply_arena>, root: Int) {
        self.arena = arena
        self.index = root
    }

    /// The next node in pre-order, or nil past the end of the reply.
    public mutating func next() -> Node? {
        let arena = self.arena.pointee
        guard self.index < arena.count else { return nil }
        let node = arena.nodes[self.index]
        self.index += 1
        let bytes = UnsafeRawBufferPointer(start: arena.bytes.map { $0 + node.offset }, count: node.length)
        switch node.type {
        case REDIS_REPLY_STRING: return .string(bytes)
        case REDIS_REPLY_STATUS: return .status(bytes)
        case REDIS_REPLY_ERROR: return .error(bytes)
        case REDIS_REPLY_INTEGER: return .integer(Int64(node.value))
        case REDIS_REPLY_ARRAY: return .array(count: Int(node.value))
        default: return .null
        }
    }

    /// Skips the next node and, for an array, all its elements.
    public mutating func skip() {
        var remaining = 1
        while remaining > 0, let node = self.next() {
            remaining -= 1
            if case .array(let count) = node { remaining += count }
        }
    }

    /// The next node's bytes when it is a string; otherwise nil, and the node (with its elements) is skipped.
    public mutating func nextString() -> UnsafeRawBufferPointer? {
        var peek = self
        if case .string(let bytes)? = peek.next() {
            self = peek
            return bytes
        }
        self.skip()
        return nil
    }

    /// The next node and its elements as a ``RedisReply`` (allocates; for replies that are not on a hot path).
    mutating func reply() -> RedisReply {
        switch self.next() {
        case .string(let bytes): return .bulk(Array(bytes))
        case .status(let bytes): return .status(String(decoding: bytes, as: UTF8.self))
        case .error(let bytes): return .error(String(decoding: bytes, as: UTF8.self))
        case .integer(let value): return .integer(value)
        case .array(let count):
            var elements: [RedisReply] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(self.reply()) }
            return .array(elements)
        case .null, nil: return .null
        }
    }
}
