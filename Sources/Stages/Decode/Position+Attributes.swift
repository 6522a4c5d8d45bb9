extension Position {
    /// The `attributes` column's jsonb text (CONTRACT §2): an object keyed by the decimal IO element id in
    /// ascending numeric order, a number as its original JSON text, a `$bigint` as a JSON string of its
    /// digits, a `$bytes` as a JSON string of its base64; `{}` when there are none.
    ///
    /// ```
    /// {"16":"18446744073709551615","66":12870,"239":1,"385":"AQIDBA=="}
    /// ```
    ///
    /// - Important: A `.number` is written as it is, so it must be JSON number text, as every value
    ///   ``PositionDecoder`` produces is; the strings of `.bigint` and `.bytes` are escaped anyway.
    public var attributesJSON: String {
        var json: [UInt8] = []
        self.appendAttributesJSON(to: &json)
        return String(decoding: json, as: UTF8.self)
    }

    /// Appends ``attributesJSON``'s UTF-8 bytes to `json`, without building a `String`.
    public func appendAttributesJSON(to json: inout [UInt8]) {
        if self.attributes.isEmpty {
            json.append(contentsOf: "{}".utf8)
            return
        }
        json.append(UInt8(ascii: "{"))
        for (index, id) in self.attributes.keys.sorted().enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "\""))
            Self.appendDecimal(id, to: &json)
            json.append(contentsOf: "\":".utf8)
            switch self.attributes[id]! {
            case .number(let text): json.append(contentsOf: text.utf8)
            case .bigint(let text), .bytes(let text): Self.appendJSONString(text, to: &json)
            }
        }
        json.append(UInt8(ascii: "}"))
    }

    private static func appendDecimal(_ value: UInt16, to json: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &json) }
        json.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    private static func appendJSONString(_ text: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): json.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): json.append(contentsOf: "\\\\".utf8)
            case 0..<0x20:
                let hex = Array("0123456789ABCDEF".utf8)
                json.append(contentsOf: "\\u00".utf8)
                json.append(hex[Int(byte >> 4)])
                json.append(hex[Int(byte & 0xF)])
            default: json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }
}
