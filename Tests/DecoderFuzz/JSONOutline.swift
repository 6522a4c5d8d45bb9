/// What the reference needs from a payload's text that Foundation's objects do not keep: every object's keys
/// in order (repeated keys), how deep containers nest, each number's text (its nearest double is
/// `Double(text)`; an `NSNumber` may hold a rounded or decimal value) and which `NSNumber`s were `true` or
/// `false`. Read only from text that `JSONSerialization` accepted, so it checks nothing but its own way.
indirect enum JSONOutline {
    case object([(key: [UInt8], value: JSONOutline)])
    case array([JSONOutline])
    /// The decoded UTF-8.
    case string([UInt8])
    /// The number's text, e.g. `-1.5e3`.
    case number(String)
    /// `true`, `false` or `null`.
    case literal(String)

    /// The value of the first member named `key`, for an object.
    func member(_ key: String) -> JSONOutline? {
        guard case .object(let members) = self else { return nil }
        let bytes = Array(key.utf8)
        return members.first { $0.key == bytes }?.value
    }
}

/// Reads a ``JSONOutline`` from JSON text, noting the deepest nesting and the first repeated key (keys are
/// compared as decoded Unicode scalars, RFC 8259 §8.3).
struct JSONOutlineReader {
    let bytes: [UInt8]
    var offset = 0
    /// How deep containers nest, the outermost counting 1.
    private(set) var maxDepth = 0
    /// The first key met twice in one object, decoded.
    private(set) var repeatedKey: [UInt8]?

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The scalars of the escapes other than `\u`, by the byte after the `\`.
    private static let simpleEscapes: [UInt8: Unicode.Scalar] = [
        UInt8(ascii: "\""): "\"", UInt8(ascii: "\\"): "\\", UInt8(ascii: "/"): "/", UInt8(ascii: "b"): "\u{08}",
        UInt8(ascii: "f"): "\u{0C}", UInt8(ascii: "n"): "\n", UInt8(ascii: "r"): "\r", UInt8(ascii: "t"): "\t",
    ]

    /// JSON's whitespace (RFC 8259 §2).
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The document, or `nil` when the text is not what the reader expects (a bug: Foundation accepted it).
    mutating func read() -> JSONOutline? {
        guard let value = self.value(depth: 0) else { return nil }
        self.skipSpace()
        return self.offset == self.bytes.count ? value : nil
    }

    private mutating func skipSpace() {
        while self.offset < self.bytes.count, Self.isSpace(self.bytes[self.offset]) {
            self.offset += 1
        }
    }

    private func peek() -> UInt8? { self.offset < self.bytes.count ? self.bytes[self.offset] : nil }

    private mutating func value(depth: Int) -> JSONOutline? {
        self.skipSpace()
        switch self.peek() {
        case UInt8(ascii: "{"):
            self.maxDepth = max(self.maxDepth, depth + 1)
            self.offset += 1
            var members: [(key: [UInt8], value: JSONOutline)] = []
            var keys = Set<[UInt8]>()
            self.skipSpace()
            if self.peek() == UInt8(ascii: "}") {
                self.offset += 1
                return .object([])
            }
            while true {
                self.skipSpace()
                guard self.peek() == UInt8(ascii: "\""), let key = self.string() else { return nil }
                if !keys.insert(key).inserted, self.repeatedKey == nil { self.repeatedKey = key }
                self.skipSpace()
                guard self.peek() == UInt8(ascii: ":") else { return nil }
                self.offset += 1
                guard let value = self.value(depth: depth + 1) else { return nil }
                members.append((key, value))
                self.skipSpace()
                guard let separator = self.peek() else { return nil }
                self.offset += 1
                if separator == UInt8(ascii: "}") { return .object(members) }
                guard separator == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "["):
            self.maxDepth = max(self.maxDepth, depth + 1)
            self.offset += 1
            var elements: [JSONOutline] = []
            self.skipSpace()
            if self.peek() == UInt8(ascii: "]") {
                self.offset += 1
                return .array([])
            }
            while true {
                guard let element = self.value(depth: depth + 1) else { return nil }
                elements.append(element)
                self.skipSpace()
                guard let separator = self.peek() else { return nil }
                self.offset += 1
                if separator == UInt8(ascii: "]") { return .array(elements) }
                guard separator == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "\""):
            return self.string().map { .string($0) }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let start = self.offset
            while let byte = self.peek(), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) { self.offset += 1 }
            return .literal(String(decoding: self.bytes[start..<self.offset], as: UTF8.self))
        case .some(let byte) where NumberGrammar.isNumberByte(byte):
            let start = self.offset
            while let byte = self.peek(), NumberGrammar.isNumberByte(byte) { self.offset += 1 }
            return .number(String(decoding: self.bytes[start..<self.offset], as: UTF8.self))
        default:
            return nil
        }
    }

    /// The decoded UTF-8 of the string at the cursor (its `"`); `nil` for a lone surrogate.
    private mutating func string() -> [UInt8]? {
        self.offset += 1
        // Without escapes: the bytes as they are.
        let start = self.offset
        while let byte = self.peek(), byte != UInt8(ascii: "\\") {
            self.offset += 1
            if byte == UInt8(ascii: "\"") { return Array(self.bytes[start..<(self.offset - 1)]) }
        }
        self.offset = start
        var scalars = String.UnicodeScalarView()
        var text: [UInt8] = []
        func flush() {
            text += String(scalars).utf8
            scalars.removeAll()
        }
        while let byte = self.peek() {
            self.offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                flush()
                return text
            case UInt8(ascii: "\\"):
                guard let escape = self.peek() else { return nil }
                self.offset += 1
                if let scalar = Self.simpleEscapes[escape] {
                    scalars.append(scalar)
                    continue
                }
                guard escape == UInt8(ascii: "u"), var unit = self.hex4() else { return nil }
                if (0xD800..<0xDC00).contains(unit) {
                    guard self.peek() == UInt8(ascii: "\\"), self.offset + 1 < self.bytes.count,
                        self.bytes[self.offset + 1] == UInt8(ascii: "u")
                    else { return nil }
                    self.offset += 2
                    guard let low = self.hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    unit = 0x10000 + (unit - 0xD800) << 10 + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(unit) else { return nil }
                scalars.append(scalar)
            default:
                flush()
                text.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard self.offset + 4 <= self.bytes.count,
            let unit = UInt32(String(decoding: self.bytes[self.offset..<(self.offset + 4)], as: UTF8.self), radix: 16)
        else { return nil }
        self.offset += 4
        return unit
    }
}

/// RFC 8259 §6's number grammar, `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, written as a
/// small state machine.
enum NumberGrammar {
    /// Whether `byte` can be part of a number's text.
    static func isNumberByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    /// Whether `text` is exactly one JSON number.
    static func matches(_ text: some Collection<UInt8>) -> Bool {
        var bytes = text[...]
        func digits() -> Int {
            var count = 0
            while let byte = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                bytes.removeFirst()
                count += 1
            }
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
        let leadingZero = bytes.first == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0, !leadingZero || integerDigits == 1 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes.removeFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes.removeFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
