/// A position's IO elements (CONTRACT §1 `attributes`): id (0–65535) → ``AttributeValue``, held as the
/// `attributes` column's canonical jsonb text, ready to be stored as it is.
///
/// ```swift
/// let attributes: PositionAttributes = [66: .number("12870"), 16: .bigint("18446744073709551615")]
/// attributes[66]           // .number("12870")
/// attributes.json          // {"16":"18446744073709551615","66":12870}
/// ```
///
/// The canonical text is an object keyed by the decimal id in ascending numeric order, a number as its
/// original JSON text, a `$bigint` as a JSON string of its digits, a `$bytes` as a JSON string of its
/// base64; `{}` when there are none. Since the JSON cannot tell a `$bigint` from a `$bytes`, the value kinds
/// are kept too.
///
/// - Important: The storage is one array: the JSON text, then one ``AttributeValue/Kind`` byte per attribute
///   in id order. Equal attribute sets have equal storage (numbers keep their text), so equality and hashing
///   compare bytes. A position carries it from decoding to the write without a dictionary, a hash or a copy
///   per attribute; lookups walk the text, which is fine for the handful of elements a record has.
public struct PositionAttributes: Sendable, Hashable {
    private var storage: [UInt8]
    private var jsonCount: Int32
    /// How many attributes there are.
    public private(set) var count: Int

    /// No attributes (`{}`).
    public init() {
        self.storage = []
        self.jsonCount = 0
        self.count = 0
    }

    /// `values`, in canonical form.
    public init(_ values: [UInt16: AttributeValue]) {
        guard !values.isEmpty else {
            self.init()
            return
        }
        let ids = values.keys.sorted()
        var json: [UInt8] = [UInt8(ascii: "{")]
        var kinds: [UInt8] = []
        for id in ids {
            if json.count > 1 { json.append(UInt8(ascii: ",")) }
            json.append(contentsOf: "\"\(id)\":".utf8)
            switch values[id]! {
            case .number(let text):
                json.append(contentsOf: text.utf8)
                kinds.append(AttributeValue.Kind.number.rawValue)
            case .bigint(let text):
                Self.appendQuoted(text, to: &json)
                kinds.append(AttributeValue.Kind.bigint.rawValue)
            case .bytes(let text):
                Self.appendQuoted(text, to: &json)
                kinds.append(AttributeValue.Kind.bytes.rawValue)
            }
        }
        json.append(UInt8(ascii: "}"))
        let jsonCount = json.count
        self.init(storage: json + kinds, jsonCount: jsonCount, count: ids.count)
    }

    /// `text` as a JSON string, with quotes, backslashes and control characters escaped.
    private static func appendQuoted(_ text: String, to json: inout [UInt8]) {
        let hex: StaticString = "0123456789ABCDEF"
        json.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                json.append(UInt8(ascii: "\\"))
                json.append(byte)
            case 0..<0x20:
                json.append(contentsOf: "\\u00".utf8)
                json.append(hex.utf8Start[Int(byte >> 4)])
                json.append(hex.utf8Start[Int(byte & 0xF)])
            default: json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }

    init(storage: [UInt8], jsonCount: Int, count: Int) {
        self.storage = storage
        self.jsonCount = Int32(jsonCount)
        self.count = count
    }

    public var isEmpty: Bool { self.count == 0 }

    /// The value of IO element `id`, if present.
    public subscript(id: UInt16) -> AttributeValue? {
        var found: AttributeValue?
        self.walk { key, value in
            guard key == id else { return key < id }
            found = value
            return false
        }
        return found
    }

    /// All attributes, as a dictionary.
    public var dictionary: [UInt16: AttributeValue] {
        var values: [UInt16: AttributeValue] = Dictionary(minimumCapacity: self.count)
        self.walk { key, value in
            values[key] = value
            return true
        }
        return values
    }

    /// The canonical jsonb text.
    public var json: String {
        self.withJSON { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the canonical jsonb text's UTF-8.
    public func withJSON<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if self.count == 0 { return ("{}" as StaticString).withUTF8Buffer(body) }
        return self.storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[..<Int(self.jsonCount)])) }
    }

    /// Calls `body` with each attribute in ascending id order while it returns `true`.
    func walk(_ body: (UInt16, AttributeValue) -> Bool) {
        guard self.count > 0 else { return }
        self.storage.withUnsafeBufferPointer { bytes in
            var offset = 1  // after `{`
            for index in 0..<self.count {
                // `"<id>":`
                offset += 1
                var id: UInt16 = 0
                while bytes[offset] != UInt8(ascii: "\"") {
                    id = id * 10 + UInt16(bytes[offset] &- UInt8(ascii: "0"))
                    offset += 1
                }
                offset += 2
                let start = offset
                let kind = AttributeValue.Kind(rawValue: bytes[Int(self.jsonCount) + index]) ?? .number
                let value: AttributeValue
                if kind == .number {
                    while bytes[offset] != UInt8(ascii: ","), bytes[offset] != UInt8(ascii: "}") { offset += 1 }
                    value = .number(
                        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                    )
                } else {
                    offset += 1
                    var escaped = false
                    while bytes[offset] != UInt8(ascii: "\"") {
                        if bytes[offset] == UInt8(ascii: "\\") {
                            escaped = true
                            offset += 1
                        }
                        offset += 1
                    }
                    offset += 1
                    let quoted = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(offset - 1)])
                    let text = escaped ? Self.unescape(quoted) : String(decoding: quoted, as: UTF8.self)
                    value = kind == .bigint ? .bigint(text) : .bytes(text)
                }
                offset += 1  // `,` or `}`
                guard body(id, value) else { return }
            }
        }
    }

    /// The text of a JSON string's contents as ``appendQuoted(_:to:)`` escapes them: `\"`, `\\` and `\u00XX`.
    private static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        var offset = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            guard byte == UInt8(ascii: "\\"), offset < bytes.count else {
                text.append(byte)
                continue
            }
            let escape = bytes[offset]
            offset += 1
            guard escape == UInt8(ascii: "u"), offset + 4 <= bytes.count else {
                text.append(escape)
                continue
            }
            var scalar: UInt8 = 0
            for hex in bytes[offset..<(offset + 4)] {
                let digit = hex <= UInt8(ascii: "9") ? hex &- UInt8(ascii: "0") : hex &- UInt8(ascii: "A") &+ 10
                scalar = scalar &* 16 &+ digit
            }
            text.append(scalar)
            offset += 4
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension PositionAttributes: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (UInt16, AttributeValue)...) {
        self.init(Dictionary(elements) { _, last in last })
    }
}

extension PositionAttributes: CustomStringConvertible {
    public var description: String { self.json }
}

extension AttributeValue {
    /// The kind of a value, one byte in ``PositionAttributes``' storage.
    enum Kind: UInt8 {
        case number = 0
        case bigint = 1
        case bytes = 2
    }
}
