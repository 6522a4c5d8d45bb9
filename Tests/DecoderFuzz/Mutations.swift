/// Random damage to a payload: a byte replaced (often by a byte JSON gives a meaning to), a bit flipped, a
/// byte or a token inserted, a span deleted or duplicated, two structural characters swapped.
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
        switch random.below(7) {
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
        default:
            let structural = bytes.indices.filter { Array("{}[]\":,".utf8).contains(bytes[$0]) }
            guard structural.count >= 2 else { return }
            bytes.swapAt(structural[random.below(structural.count)], structural[random.below(structural.count)])
        }
    }
}
