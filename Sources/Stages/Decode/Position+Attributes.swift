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
        if self.attributes.isEmpty { return "{}" }
        var json = "{"
        json.reserveCapacity(self.attributes.count * 16)
        for (index, id) in self.attributes.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            json += "\""
            json += String(id)
            json += "\":"
            switch self.attributes[id]! {
            case .number(let text): json += text
            case .bigint(let text), .bytes(let text): Self.appendJSONString(text, to: &json)
            }
        }
        json += "}"
        return json
    }

    private static func appendJSONString(_ text: String, to json: inout String) {
        json += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\u{0}"..<"\u{20}":
                let hex = String(scalar.value, radix: 16, uppercase: true)
                json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }
}
