extension PayloadDecoder {
    /// Reads `payload.attributes`: absent (not called), `null` or an object of IO element id → value.
    mutating func readAttributes() throws(Reason) {
        let path = PayloadField.attributes.path
        let kind = try self.reader.peekKind()
        if kind == .null {
            try self.reader.readLiteral("null")
            return
        }
        guard kind == .object else {
            try self.reader.skipValue(path: path, depth: 1)
            throw .wrongType(field: path, expected: "an object or null", found: kind)
        }
        try self.reader.beginObject(depth: 2)
        var isFirst = true
        while let key = try self.reader.nextKey(isFirst: &isFirst) {
            let id = try self.reader.withBytes(of: key) { (bytes) throws(Reason) -> UInt16 in
                guard let id = Self.attributeID(bytes) else {
                    throw .invalidAttributeKey(key: String(decoding: bytes, as: UTF8.self))
                }
                return id
            }
            guard try self.readAttributeValue(id) else { throw .duplicateKey(field: path, key: String(id)) }
        }
    }

    /// The IO element id `bytes` spells: a decimal integer 0–65535 without leading zeros.
    static func attributeID(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt16? {
        guard (1...5).contains(bytes.count), bytes.count == 1 || bytes[0] != UInt8(ascii: "0") else { return nil }
        var value: UInt32 = 0
        for byte in bytes {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + UInt32(digit)
        }
        return UInt16(exactly: value)
    }

    private static func path(_ id: UInt16) -> String {
        "payload.attributes.\(id)"
    }

    /// Reads the value of attribute `id` into ``attributes``; `false` when `id` was there already.
    private mutating func readAttributeValue(_ id: UInt16) throws(Reason) -> Bool {
        let kind = try self.reader.peekKind()
        switch kind {
        case .number:
            let number = try self.reader.readNumber()
            guard number.value.isFinite else {
                throw .invalidAttributeValue(field: Self.path(id), problem: .notFinite(self.reader.text(of: number)))
            }
            return self.attributes.append(
                id,
                .number,
                value: UnsafeBufferPointer(rebasing: self.reader.bytes[number.source])
            )
        case .object:
            return try self.readTagObject(id)
        case .array, .string, .boolean, .null:
            try self.reader.skipValue(path: Self.path(id), depth: 2)
            throw .invalidAttributeValue(field: Self.path(id), problem: .wrongKind(kind))
        }
    }

    /// Reads `{"$bigint": "…"}` or `{"$bytes": "…"}`, the cursor at its `{`, into ``attributes``; `false`
    /// when `id` was there already. Paths are only built for errors.
    private mutating func readTagObject(_ id: UInt16) throws(Reason) -> Bool {
        try self.reader.beginObject(depth: 3)
        var isFirst = true
        guard let key = try self.reader.nextKey(isFirst: &isFirst) else {
            throw .invalidTagObject(field: Self.path(id), count: 0)
        }
        guard let tag = self.reader.withBytes(of: key, { Tag(key: $0) }) else {
            let name = self.reader.text(of: key)
            try self.reader.skipValue(path: Self.path(id) + "." + name, depth: 3)
            try self.skipMembers(of: id, after: name)
            throw name.first == "$"
                ? .unknownTag(field: Self.path(id), tag: name)
                : .invalidAttributeValue(field: Self.path(id), problem: .notATag(key: name))
        }
        let valuePath = { Self.path(id) + "." + tag.key.description }
        let kind = try self.reader.peekKind()
        guard kind == .string else {
            try self.reader.skipValue(path: valuePath(), depth: 3)
            throw .wrongType(field: valuePath(), expected: "a string", found: kind)
        }
        let token = try self.reader.readString()
        try self.reader.withBytes(of: token) { (bytes) throws(Reason) in
            if tag == .bigint {
                if let problem = Self.bigintProblem(bytes) {
                    throw .invalidBigint(
                        field: valuePath(),
                        text: String(decoding: bytes, as: UTF8.self),
                        problem: problem
                    )
                }
            } else if let problem = Self.base64Problem(bytes) {
                throw .invalidBytes(field: valuePath(), text: String(decoding: bytes, as: UTF8.self), problem: problem)
            }
        }
        let count = try self.skipMembers(of: id, after: tag.key.description)
        guard count == 1 else { throw .invalidTagObject(field: Self.path(id), count: count) }
        // Validated digits or base64: nothing to escape. Kept as a slice of the payload, unless it was
        // written with escapes (`\u0031`): then its decoded bytes are temporary, and copied.
        let valueKind: AttributeValue.Kind = tag == .bigint ? .bigint : .bytes
        if let decoded = token.decoded { return self.attributes.append(id, valueKind, copying: decoded) }
        let value = UnsafeBufferPointer(rebasing: self.reader.bytes[token.source])
        return self.attributes.append(id, valueKind, value: value)
    }

    /// Skips (and checks) the members left in the tag object of attribute `id` whose first key was
    /// `firstKey`, through its `}`; returns how many members it has in all.
    @discardableResult
    private mutating func skipMembers(of id: UInt16, after firstKey: @autoclosure () -> String) throws(Reason) -> Int {
        var isFirst = false
        guard var key = try self.reader.nextKey(isFirst: &isFirst) else { return 1 }
        let path = Self.path(id)
        var keys: Set<[UInt8]> = [Array(firstKey().utf8)]  // UTF-8, not String: see JSONReader
        while true {
            let name = self.reader.text(of: key)
            guard keys.insert(Array(name.utf8)).inserted else { throw .duplicateKey(field: path, key: name) }
            try self.reader.skipValue(path: path + "." + name, depth: 3)
            guard let next = try self.reader.nextKey(isFirst: &isFirst) else { return keys.count }
            key = next
        }
    }

    /// The tags of a tag object.
    private enum Tag {
        case bigint, bytes

        var key: StaticString {
            switch self {
            case .bigint: "$bigint"
            case .bytes: "$bytes"
            }
        }

        init?(key: UnsafeBufferPointer<UInt8>) {
            if Tag.bigint.key.withUTF8Buffer({ key.elementsEqual(bytes: $0) }) {
                self = .bigint
            } else if Tag.bytes.key.withUTF8Buffer({ key.elementsEqual(bytes: $0) }) {
                self = .bytes
            } else {
                return nil
            }
        }
    }

    /// Why `bytes` is not a `$bigint` (an optional `-` and decimal digits without leading zeros, in
    /// −2^63 … 2^64−1), if it is not.
    static func bigintProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> DecodeError.BigintProblem? {
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = negative ? UnsafeBufferPointer(rebasing: bytes.dropFirst()) : bytes
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return .notDecimal
        }
        if digits[0] == UInt8(ascii: "0"), digits.count > 1 || negative { return .leadingZero }
        let limit: StaticString = negative ? "9223372036854775808" : "18446744073709551615"
        if digits.count != limit.utf8CodeUnitCount { return digits.count < limit.utf8CodeUnitCount ? nil : .outOfRange }
        // Same-length decimal digits compare like their values: the first difference decides.
        for index in 0..<digits.count where digits[index] != limit.utf8Start[index] {
            return digits[index] < limit.utf8Start[index] ? nil : .outOfRange
        }
        return nil
    }

    /// Why `bytes` is not standard padded base64 in its canonical form, if it is not.
    static func base64Problem(_ bytes: UnsafeBufferPointer<UInt8>) -> DecodeError.BytesProblem? {
        guard bytes.count % 4 == 0 else { return .length(bytes.count) }
        guard !bytes.isEmpty else { return nil }
        var padding = 0
        if bytes[bytes.count - 1] == UInt8(ascii: "=") { padding += 1 }
        if padding == 1, bytes[bytes.count - 2] == UInt8(ascii: "=") { padding += 1 }
        var last: UInt8 = 0
        for offset in 0..<(bytes.count - padding) {
            guard let value = Self.base64Value(bytes[offset]) else {
                return bytes[offset] == UInt8(ascii: "=") ? .padding : .character(offset: offset)
            }
            last = value
        }
        // One `=` leaves 2 unused bits in the last character, two leave 4; canonical encoders zero them.
        let unusedBits: UInt8 = padding == 0 ? 0 : padding == 1 ? 0b11 : 0b1111
        return last & unusedBits == 0 ? nil : .nonCanonical
    }

    private static func base64Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether both hold the same bytes, compared a word at a time (`elementsEqual` goes byte by byte through
    /// iterators; keys and ids are compared for every entry).
    func elementsEqual(bytes other: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = self.count
        guard count == other.count else { return false }
        guard count > 0, let left = self.baseAddress, let right = other.baseAddress else { return true }
        let lhs = UnsafeRawPointer(left)
        let rhs = UnsafeRawPointer(right)
        func word<Word: FixedWidthInteger>(_ type: Word.Type, at offset: Int) -> Bool {
            lhs.loadUnaligned(fromByteOffset: offset, as: type) == rhs.loadUnaligned(fromByteOffset: offset, as: type)
        }
        if count < 4 {
            for index in 0..<count where left[index] != right[index] { return false }
            return true
        }
        if count <= 8 { return word(UInt32.self, at: 0) && word(UInt32.self, at: count - 4) }
        var offset = 0
        while offset + 8 < count {
            guard word(UInt64.self, at: offset) else { return false }
            offset += 8
        }
        // The last 8 bytes, overlapping the words already compared.
        return word(UInt64.self, at: count - 8)
    }
}
