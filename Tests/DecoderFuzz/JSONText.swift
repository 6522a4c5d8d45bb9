/// Pieces of JSON text written with random (valid) choices: whitespace between tokens and escapes in strings.
enum JSONText {
    /// Whitespace as RFC 8259 allows it between tokens: mostly none.
    static func space(_ random: inout SplitMix) -> String {
        guard random.chance(0.3) else { return "" }
        let characters = [" ", "\t", "\n", "\r", "  "]
        var text = ""
        for _ in 0...random.below(3) { text += characters[random.below(characters.count)] }
        return text
    }

    /// `text` as a JSON string: `"` and `\` and control characters escaped (a short escape or `\u00XX`),
    /// `/` sometimes as `\/`, and any other scalar escaped as `\uXXXX` (a surrogate pair above U+FFFF) with
    /// probability `escapeRate`.
    static func quoted(_ text: String, escapeRate: Double, _ random: inout SplitMix) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "/" where random.chance(escapeRate): quoted += "\\/"
            case "\u{08}" where random.chance(0.5): quoted += "\\b"
            case "\u{0C}" where random.chance(0.5): quoted += "\\f"
            case "\n" where random.chance(0.5): quoted += "\\n"
            case "\r" where random.chance(0.5): quoted += "\\r"
            case "\t" where random.chance(0.5): quoted += "\\t"
            case _ where scalar.value < 0x20 || random.chance(escapeRate):
                if scalar.value > 0xFFFF {
                    let offset = scalar.value - 0x10000
                    quoted += Self.unicodeEscape(0xD800 + offset >> 10, &random)
                    quoted += Self.unicodeEscape(0xDC00 + offset & 0x3FF, &random)
                } else {
                    quoted += Self.unicodeEscape(scalar.value, &random)
                }
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// `\uXXXX`, its hexadecimal digits in upper or lower case.
    static func unicodeEscape(_ unit: UInt32, _ random: inout SplitMix) -> String {
        let hex = String(unit, radix: 16, uppercase: random.chance(0.5))
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// A random string: letters, digits, punctuation, control characters, `"` and `\`, and non-ASCII scalars
    /// of two, three and four UTF-8 bytes.
    static func randomString(_ random: inout SplitMix) -> String {
        let pieces = [
            "a", "Z", "7", " ", "/", "\"", "\\", "\u{0}", "\u{1F}", "\n", "\t", "\u{7F}", "é", "€",
            "\u{2028}", "\u{FFFF}", "😀", "$", "{", "}", "[", ":", ",",
        ]
        var text = ""
        for _ in 0..<random.below(12) { text += pieces[random.below(pieces.count)] }
        return text
    }

    /// `{…}` of `members` (keys and values already JSON text), with random whitespace.
    static func object(_ members: [(key: String, value: String)], _ random: inout SplitMix) -> String {
        var text = "{" + Self.space(&random)
        for (index, member) in members.enumerated() {
            if index > 0 { text += Self.space(&random) + "," + Self.space(&random) }
            text += member.key + Self.space(&random) + ":" + Self.space(&random) + member.value
        }
        return text + Self.space(&random) + "}"
    }
}
