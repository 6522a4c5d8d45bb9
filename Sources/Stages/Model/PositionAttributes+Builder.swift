extension PositionAttributes {
    /// Builds ``PositionAttributes`` member by member, in any id order, refusing a repeated id: what the
    /// decoder fills while it reads `payload.attributes`, without a dictionary or a string per value.
    struct Builder {
        /// `{` and the members so far, comma-separated, in the order they came.
        private var json: [UInt8] = []
        private var members: [Member] = []
        private var ascending = true
        /// The ids so far, once there are too many to compare with each one.
        private var ids: Set<UInt16>?

        /// Where a member `"<id>":<value>` is in `json`.
        private struct Member {
            var id: UInt16
            var kind: AttributeValue.Kind
            var start: Int
            var end: Int
        }

        init() {}

        /// Appends attribute `id` with its value's JSON text (a number's text, or a string's contents, which
        /// `escape` says whether to escape); `false`, appending nothing, when `id` is already there.
        @discardableResult
        mutating func append(
            _ id: UInt16,
            _ kind: AttributeValue.Kind,
            value: UnsafeBufferPointer<UInt8>,
            escape: Bool = false
        ) -> Bool {
            guard self.insertID(id) else { return false }
            if self.json.isEmpty {
                self.json.reserveCapacity(96)
                self.members.reserveCapacity(8)
                self.json.append(UInt8(ascii: "{"))
            } else {
                self.json.append(UInt8(ascii: ","))
            }
            if let last = self.members.last, last.id > id { self.ascending = false }
            let start = self.json.count
            self.json.append(UInt8(ascii: "\""))
            Self.appendDecimal(id, to: &self.json)
            self.json.append(UInt8(ascii: "\""))
            self.json.append(UInt8(ascii: ":"))
            if kind == .number {
                self.json.append(contentsOf: value)
            } else {
                self.json.append(UInt8(ascii: "\""))
                if escape { Self.appendEscaped(value, to: &self.json) } else { self.json.append(contentsOf: value) }
                self.json.append(UInt8(ascii: "\""))
            }
            self.members.append(Member(id: id, kind: kind, start: start, end: self.json.count))
            return true
        }

        /// Appends attribute `id` with `text`, escaped if it is a string.
        mutating func append(_ id: UInt16, _ kind: AttributeValue.Kind, text: String) {
            var text = text
            text.withUTF8 { _ = self.append(id, kind, value: $0, escape: true) }
        }

        /// The attributes, in canonical form.
        consuming func finished() -> PositionAttributes {
            guard !self.members.isEmpty else { return PositionAttributes() }
            if self.ascending {
                self.json.append(UInt8(ascii: "}"))
                let jsonCount = self.json.count
                for member in self.members { self.json.append(member.kind.rawValue) }
                return PositionAttributes(storage: self.json, jsonCount: jsonCount, count: self.members.count)
            }
            self.members.sort { $0.id < $1.id }
            let members = self.members
            var storage: [UInt8] = []
            storage.reserveCapacity(self.json.count + 1 + members.count)
            storage.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { storage.append(UInt8(ascii: ",")) }
                storage.append(contentsOf: self.json[member.start..<member.end])
            }
            storage.append(UInt8(ascii: "}"))
            let jsonCount = storage.count
            for member in members { storage.append(member.kind.rawValue) }
            return PositionAttributes(storage: storage, jsonCount: jsonCount, count: members.count)
        }

        /// Records `id`; `false` if it was there already. A few ids are compared one by one, more go in a set.
        private mutating func insertID(_ id: UInt16) -> Bool {
            if self.ids == nil {
                if self.members.contains(where: { $0.id == id }) { return false }
                if self.members.count < 16 { return true }
                self.ids = Set(self.members.map(\.id))
            }
            return self.ids!.insert(id).inserted
        }

        private static func appendDecimal(_ value: UInt16, to json: inout [UInt8]) {
            if value >= 10 { appendDecimal(value / 10, to: &json) }
            json.append(UInt8(ascii: "0") + UInt8(value % 10))
        }

        /// `"` and `\` escaped with a backslash, control characters as `\u00XX`.
        private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to json: inout [UInt8]) {
            let hex: StaticString = "0123456789ABCDEF"
            for byte in bytes {
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
        }
    }
}
