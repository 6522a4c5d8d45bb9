/// Random damage to a payload: a byte replaced (often by a byte JSON gives a meaning to), a bit flipped, a
/// byte or a token inserted, a span deleted or duplicated, two structural characters swapped; and changes
/// that keep the JSON valid but break a rule: a member repeated, `[]` nested deeper, a byte order mark first.
enum Mutations {
    /// Bytes that often make a small change meaningful: structure, number parts, escapes, literals' letters,
    /// whitespace (RFC and not), and bytes that are not UTF-8.
    static let interestingBytes =
        Array("{}[]\":,\\0123456789-+.eEtfnulr /bu\t\n\r\u{0B}\u{0C}".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF, 0xEF]

    /// Tokens worth inserting: values of every kind, escapes, lone surrogates, contract keys and tags.
    static let tokens = [
        "null", "true", "false", "0", "-0", "1e400", "-1e400", "1e-400", "01", "1.", ".5", "+1", "NaN", "Infinity",
        "\"\"", "{}", "[]", ",", ":", "\\u", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "\\x", "\"latitude\":1",
        "\"device_id\":\"x\"", "\"attributes\":{}", "{\"$bigint\":\"1\"}", "{\"$bytes\":\"\"}", "{\"$x\":1}",
        "\"$bigint\"", "\"66\":1", "\u{FEFF}", "\u{A0}", "é", "😀", "/*c*/", "[[[[[[[[", "]]]]", "\"timestamp\":",
    ]

    /// `payload` with 1–3 random mutations.
    static func mutate(_ payload: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        var bytes = payload
        for _ in 0...random.below(3) { Self.mutateOnce(&bytes, &random) }
        return bytes
    }

    static func mutateOnce(_ bytes: inout [UInt8], _ random: inout SplitMix) {
        let offset = random.below(bytes.count + 1)
        let span = min(random.below(8) + 1, bytes.count - offset)
        switch random.below(9) {
        case 0 where offset < bytes.count:
            bytes[offset] =
                random.chance(0.7)
                ? Self.interestingBytes[random.below(Self.interestingBytes.count)] : UInt8(random.below(256))
        case 1 where offset < bytes.count:
            bytes[offset] ^= 1 << random.below(8)
        case 2:
            bytes.insert(Self.interestingBytes[random.below(Self.interestingBytes.count)], at: offset)
        case 3:
            bytes.insert(contentsOf: Array(Self.tokens[random.below(Self.tokens.count)].utf8), at: offset)
        case 4:
            bytes.removeSubrange(offset..<(offset + span))
        case 5:
            let copy = Array(bytes[offset..<(offset + span)])
            bytes.insert(contentsOf: copy, at: random.below(bytes.count + 1))
        case 6:
            switch random.below(4) {
            case 0: Self.repeatMember(&bytes, &random)
            case 1: Self.deepen(&bytes, &random)
            case 2: bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)
            default: bytes.insert(contentsOf: bytes[offset...].prefix(random.below(64) + 1), at: offset)
            }
        default:
            let structural = bytes.indices.filter { Array("{}[]\":,".utf8).contains(bytes[$0]) }
            guard structural.count >= 2 else { return }
            bytes.swapAt(structural[random.below(structural.count)], structural[random.below(structural.count)])
        }
    }

    /// Writes a random object member twice (`"a":1,"a":1`), when there is one: valid JSON, a repeated key.
    static func repeatMember(_ bytes: inout [UInt8], _ random: inout SplitMix) {
        // Keys: a `"` whose previous byte other than whitespace is `{` or `,` (outside strings).
        var keys: [Int] = []
        var previous: UInt8 = 0
        var inString = false
        var offset = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if inString {
                if byte == UInt8(ascii: "\\") { offset += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                if previous == UInt8(ascii: "{") || previous == UInt8(ascii: ",") { keys.append(offset) }
                inString = true
            }
            if !inString, !JSONOutlineReader.isSpace(byte) { previous = byte }
            offset += 1
        }
        guard !keys.isEmpty else { return }
        let start = keys[random.below(keys.count)]
        // The member ends at the `,` or `}` that closes nothing it opened.
        var depth = 0
        inString = false
        offset = start
        while offset < bytes.count {
            let byte = bytes[offset]
            if inString {
                if byte == UInt8(ascii: "\\") { offset += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: ",") {
                if depth == 0 { break }
                if byte != UInt8(ascii: ",") { depth -= 1 }
            }
            offset += 1
        }
        bytes.insert(contentsOf: Array(bytes[start..<min(offset, bytes.count)]) + [UInt8(ascii: ",")], at: start)
    }

    /// Nests the first `[]` 1–8 levels deeper (`[[[]]]`): valid JSON, maybe past the nesting limit.
    static func deepen(_ bytes: inout [UInt8], _ random: inout SplitMix) {
        guard
            let index = bytes.indices.dropLast().first(where: {
                bytes[$0] == UInt8(ascii: "[") && bytes[$0 + 1] == UInt8(ascii: "]")
            })
        else { return }
        let levels = random.below(8) + 1
        bytes.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "]"), count: levels), at: index + 1)
        bytes.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "["), count: levels), at: index + 1)
    }
}
