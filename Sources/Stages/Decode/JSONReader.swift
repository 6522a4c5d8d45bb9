/// A strict RFC 8259 JSON reader over UTF-8 bytes: a cursor that the caller drives value by value, so that a
/// known document (the position payload) is read without building a tree, and anything else is skipped but
/// still checked in full.
///
/// Its errors are ``DecodeError/Reason/notJSON(offset:expected:found:)`` with the byte offset, and
/// ``DecodeError/Reason/duplicateKey(field:key:)`` in skipped objects. It accepts exactly RFC 8259: no
/// comments, no trailing commas, no leading zeros, no byte order mark, no lone surrogates in `\u` escapes;
/// objects and arrays nest at most ``maxDepth`` deep (RFC 8259 §9 allows a limit; it keeps recursion bounded).
/// Keys are compared as their decoded UTF-8 (RFC 8259 §8.3), never as `String`s: `String` equality is
/// canonical equivalence, which would take `"é"` and `"e\u0301"` for one key.
///
/// - Important: `bytes` must be valid UTF-8 (see ``UTF8Validation``) and must outlive the reader: create it
///   inside `withUnsafeBufferPointer` and do not let it escape.
struct JSONReader {
    typealias Reason = DecodeError.Reason
    typealias JSONKind = DecodeError.JSONKind

    /// How deep objects and arrays may nest, the outermost one counting as 1.
    static let maxDepth = 128

    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    var offset = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// A string value: the range of its source text between the quotes and, when it has escapes, its
    /// decoded UTF-8.
    struct StringToken {
        var source: Range<Int>
        var decoded: [UInt8]?
    }

    /// A number value: the range of its source text and its value as the nearest double (infinite when
    /// too large, like `1e400`).
    struct NumberToken {
        var source: Range<Int>
        var value: Double
    }

    // MARK: Structure

    mutating func skipWhitespace() {
        while self.offset < self.bytes.count {
            switch self.bytes[self.offset] {
            case Byte.space, Byte.tab, Byte.newline, Byte.carriageReturn: self.offset += 1
            default: return
            }
        }
    }

    /// The kind of the value that starts at the cursor, after whitespace.
    mutating func peekKind() throws(Reason) -> JSONKind {
        self.skipWhitespace()
        guard self.offset < self.bytes.count else { throw self.syntaxError(expected: "a JSON value") }
        switch self.bytes[self.offset] {
        case Byte.openBrace: return .object
        case Byte.openBracket: return .array
        case Byte.quote: return .string
        case Byte.minus, Byte.zero...Byte.nine: return .number
        case Byte.lowerT, Byte.lowerF: return .boolean
        case Byte.lowerN: return .null
        default: throw self.syntaxError(expected: "a JSON value")
        }
    }

    /// Checks that only whitespace is left.
    mutating func expectEnd() throws(Reason) {
        self.skipWhitespace()
        guard self.offset == self.bytes.count else { throw self.syntaxError(expected: "the end of the payload") }
    }

    /// Consumes the `{` at the cursor (``peekKind()`` said `.object`).
    mutating func beginObject(depth: Int) throws(Reason) {
        guard depth <= Self.maxDepth else {
            throw self.syntaxError(expected: "objects and arrays nested at most \(Self.maxDepth) deep")
        }
        self.offset += 1
    }

    /// The next key of the object being read, its `:` consumed; `nil` once the closing `}` is consumed.
    /// `isFirst` starts `true` for each object.
    mutating func nextKey(isFirst: inout Bool) throws(Reason) -> StringToken? {
        self.skipWhitespace()
        guard self.offset < self.bytes.count else {
            throw self.syntaxError(expected: isFirst ? "'\"' or '}'" : "',' or '}'")
        }
        let byte = self.bytes[self.offset]
        if byte == Byte.closeBrace {
            self.offset += 1
            return nil
        }
        if isFirst {
            isFirst = false
        } else {
            guard byte == Byte.comma else { throw self.syntaxError(expected: "',' or '}'") }
            self.offset += 1
            self.skipWhitespace()
        }
        guard self.offset < self.bytes.count, self.bytes[self.offset] == Byte.quote else {
            throw self.syntaxError(expected: "'\"' to start a key")
        }
        let key = try self.readString()
        self.skipWhitespace()
        guard self.offset < self.bytes.count, self.bytes[self.offset] == Byte.colon else {
            throw self.syntaxError(expected: "':' after the key")
        }
        self.offset += 1
        return key
    }

    /// Consumes the next key of the object being read and its `:` when they are exactly `quotedKey` (the
    /// key's bytes in quotes, then `:`, as in `"latitude":`), after the `,` that separates it from the member
    /// before unless `isFirst` (whitespace allowed around the `,`); otherwise consumes nothing.
    ///
    /// A fast path for keys expected in order: the key is matched as bytes, not read as a string and looked
    /// up. Anything else (another key, an escape, whitespace before the `:`) is left to ``nextKey(isFirst:)``.
    mutating func consumeKey(_ quotedKey: StaticString, isFirst: inout Bool) -> Bool {
        let saved = self.offset
        if !isFirst {
            self.skipWhitespace()
            guard self.offset < self.bytes.count, self.bytes[self.offset] == Byte.comma else {
                self.offset = saved
                return false
            }
            self.offset += 1
        }
        self.skipWhitespace()
        let count = quotedKey.utf8CodeUnitCount
        guard self.offset + count <= self.bytes.count else {
            self.offset = saved
            return false
        }
        for index in 0..<count where self.bytes[self.offset + index] != quotedKey.utf8Start[index] {
            self.offset = saved
            return false
        }
        self.offset += count
        isFirst = false
        return true
    }

    /// Reads and checks the value at the cursor, whatever it is. `path` names it in a duplicate-key error
    /// and is only evaluated for objects and arrays; `depth` is the depth of the object or array holding it.
    mutating func skipValue(path: @autoclosure () -> String, depth: Int) throws(Reason) {
        switch try self.peekKind() {
        case .object:
            let path = path()
            try self.beginObject(depth: depth + 1)
            var keys = Set<[UInt8]>()
            var isFirst = true
            while let key = try self.nextKey(isFirst: &isFirst) {
                let name = self.text(of: key)
                guard keys.insert(Array(name.utf8)).inserted else { throw .duplicateKey(field: path, key: name) }
                try self.skipValue(path: path + "." + name, depth: depth + 1)
            }
        case .array:
            let path = path()
            guard depth + 1 <= Self.maxDepth else {
                throw self.syntaxError(expected: "objects and arrays nested at most \(Self.maxDepth) deep")
            }
            self.offset += 1
            self.skipWhitespace()
            if self.offset < self.bytes.count, self.bytes[self.offset] == Byte.closeBracket {
                self.offset += 1
                return
            }
            var index = 0
            while true {
                try self.skipValue(path: "\(path)[\(index)]", depth: depth + 1)
                index += 1
                self.skipWhitespace()
                guard self.offset < self.bytes.count else { throw self.syntaxError(expected: "',' or ']'") }
                switch self.bytes[self.offset] {
                case Byte.comma: self.offset += 1
                case Byte.closeBracket:
                    self.offset += 1
                    return
                default: throw self.syntaxError(expected: "',' or ']'")
                }
            }
        case .string: _ = try self.readString()
        case .number: _ = try self.readNumber()
        case .boolean:
            try self.readLiteral(self.bytes[self.offset] == Byte.lowerT ? "true" : "false")
        case .null: try self.readLiteral("null")
        }
    }

    /// Consumes `literal` (`true`, `false` or `null`) at the cursor.
    mutating func readLiteral(_ literal: StaticString) throws(Reason) {
        let start = self.offset
        for index in 0..<literal.utf8CodeUnitCount {
            guard self.offset < self.bytes.count, self.bytes[self.offset] == literal.utf8Start[index] else {
                throw self.syntaxError(expected: "'\(literal)' (the literal that starts at byte \(start))")
            }
            self.offset += 1
        }
    }

    // MARK: Access

    /// Calls `body` with the UTF-8 of `string`, its escapes decoded.
    func withBytes<Result, Failure: Error>(
        of string: StringToken,
        _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if let decoded = string.decoded { return try decoded.withUnsafeBufferPointer(body) }
        return try body(UnsafeBufferPointer(rebasing: self.bytes[string.source]))
    }

    /// `string` decoded.
    func text(of string: StringToken) -> String {
        self.withBytes(of: string) { String(decoding: $0, as: UTF8.self) }
    }

    /// The JSON source text of `number`, e.g. `12870` or `-1.5e3`.
    func text(of number: NumberToken) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self.bytes[number.source]), as: UTF8.self)
    }

    /// A `not_json` error at `offset` (the cursor by default). Never inlined: it keeps the cold path of
    /// building a message out of the hot loops.
    @inline(never)
    func syntaxError(expected: String, at offset: Int? = nil) -> Reason {
        let offset = offset ?? self.offset
        let found: String
        if offset >= self.bytes.count {
            found = "the end of the payload"
        } else {
            let byte = self.bytes[offset]
            if (0x21...0x7E).contains(byte) {
                found = "'\(Character(Unicode.Scalar(byte)))'"
            } else {
                found = "byte \(DecodeError.hex(byte))"
            }
        }
        return .notJSON(offset: offset, expected: expected, found: found)
    }
}

extension JSONReader {
    /// The ASCII bytes JSON gives a meaning to.
    enum Byte {
        static let tab = UInt8(ascii: "\t")
        static let newline = UInt8(ascii: "\n")
        static let carriageReturn = UInt8(ascii: "\r")
        static let space = UInt8(ascii: " ")
        static let quote = UInt8(ascii: "\"")
        static let plus = UInt8(ascii: "+")
        static let comma = UInt8(ascii: ",")
        static let minus = UInt8(ascii: "-")
        static let dot = UInt8(ascii: ".")
        static let slash = UInt8(ascii: "/")
        static let zero = UInt8(ascii: "0")
        static let nine = UInt8(ascii: "9")
        static let colon = UInt8(ascii: ":")
        static let equals = UInt8(ascii: "=")
        static let upperE = UInt8(ascii: "E")
        static let openBracket = UInt8(ascii: "[")
        static let backslash = UInt8(ascii: "\\")
        static let closeBracket = UInt8(ascii: "]")
        static let lowerE = UInt8(ascii: "e")
        static let lowerF = UInt8(ascii: "f")
        static let lowerN = UInt8(ascii: "n")
        static let lowerT = UInt8(ascii: "t")
        static let openBrace = UInt8(ascii: "{")
        static let closeBrace = UInt8(ascii: "}")
    }
}
