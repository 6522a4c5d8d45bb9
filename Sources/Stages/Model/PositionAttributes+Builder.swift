extension PositionAttributes {
    /// Collects a payload's attributes as the decoder reads them, in any order, then writes them once,
    /// sorted by id, into the storage of a ``PositionAttributes``: one allocation per position.
    ///
    /// ```swift
    /// var builder = PositionAttributes.Builder()
    /// builder.append(66, .number, value: digits)      // false if 66 was appended already
    /// let attributes = builder.finished()
    /// ```
    ///
    /// - Important: Values given to ``append(_:_:value:)`` are kept as pointers, not copied: those bytes must
    ///   stay valid and unchanged until ``finished()`` (the decoder's are slices of the payload it is reading;
    ///   a value it had to unescape goes to ``append(_:_:copying:)``). Values are written as they are, so they
    ///   must need no escaping: JSON number text, `$bigint` digits or base64, which the decoder has checked.
    struct Builder {
        /// The first ``inlineCapacity`` members, without an allocation (a record has a handful).
        private var inline: InlineMembers
        /// All members once there are more than ``inlineCapacity``.
        private var spilled: [Member] = []
        private var count = 0
        /// The ids seen, once there are too many members to search.
        private var ids: Set<UInt16>?
        /// Copies of values whose bytes would not outlive the call (rare: escaped in the payload).
        private var copies: [[UInt8]] = []

        private static let inlineCapacity = 16

        private struct Member {
            /// The value's bytes; empty for a copy (its bytes are `copies[copy]`).
            var value: UnsafeBufferPointer<UInt8>
            var copy: Int32 = -1
            var id: UInt16
            var kind: AttributeValue.Kind
        }

        private typealias InlineMembers = (
            Member, Member, Member, Member, Member, Member, Member, Member,
            Member, Member, Member, Member, Member, Member, Member, Member
        )

        init() {
            let none = Member(value: UnsafeBufferPointer(start: nil, count: 0), id: 0, kind: .number)
            self.inline = (
                none, none, none, none, none, none, none, none, none, none, none, none, none, none, none, none
            )
        }

        /// Adds attribute `id` with the bytes of `value`, which must outlive the builder's use (see above);
        /// `false` (and nothing added) when `id` was added already.
        @discardableResult
        mutating func append(_ id: UInt16, _ kind: AttributeValue.Kind, value: UnsafeBufferPointer<UInt8>) -> Bool {
            self.append(Member(value: value, id: id, kind: kind))
        }

        /// Adds attribute `id` with a copy of `value`; `false` (and nothing added) when `id` was added already.
        @discardableResult
        mutating func append(_ id: UInt16, _ kind: AttributeValue.Kind, copying value: [UInt8]) -> Bool {
            let member = Member(
                value: UnsafeBufferPointer(start: nil, count: 0),
                copy: Int32(self.copies.count),
                id: id,
                kind: kind
            )
            guard self.append(member) else { return false }
            self.copies.append(value)
            return true
        }

        private mutating func append(_ member: Member) -> Bool {
            let id = member.id
            if self.count < Self.inlineCapacity {
                let count = self.count
                let added = withUnsafeMutableBytes(of: &self.inline) { raw in
                    let members = raw.baseAddress!.assumingMemoryBound(to: Member.self)
                    for index in 0..<count where members[index].id == id { return false }
                    members[count] = member
                    return true
                }
                guard added else { return false }
            } else {
                if self.ids == nil {
                    self.spilled = self.withMutableMembers { Array($0) }
                    self.ids = Set(self.spilled.map(\.id))
                }
                guard self.ids!.insert(id).inserted else { return false }
                self.spilled.append(member)
            }
            self.count += 1
            return true
        }

        /// The attributes, in canonical form. (Mutating, not consuming: consuming the decoder's builder would
        /// copy it.)
        mutating func finished() -> PositionAttributes {
            guard self.count > 0 else { return PositionAttributes() }
            let count = self.count
            let copies = self.copies
            return self.withMutableMembers { unsorted in
                let members = unsorted
                // Insertion sort: a record has a handful of members, often in order already, where the
                // standard library's merge sort sets up runs and a buffer first.
                for index in members.indices.dropFirst() {
                    let member = members[index]
                    var hole = index
                    while hole > 0 && members[hole - 1].id > member.id {
                        members[hole] = members[hole - 1]
                        hole -= 1
                    }
                    members[hole] = member
                }
                // `{`, `}`, a comma between members, and a kind byte per member after the text.
                var jsonCount = 2 + (count - 1)
                for member in members {
                    let valueCount = member.copy >= 0 ? copies[Int(member.copy)].count : member.value.count
                    // `"<id>":` and the value, quoted when a string.
                    jsonCount += PositionAttributes.keyCount(member.id) + valueCount + (member.kind == .number ? 0 : 2)
                }
                let storage = [UInt8](unsafeUninitializedCapacity: jsonCount + count) { bytes, written in
                    var offset = 0
                    func put(_ byte: UInt8) {
                        bytes[offset] = byte
                        offset += 1
                    }
                    func put(contentsOf value: UnsafeBufferPointer<UInt8>) {
                        guard let source = value.baseAddress, !value.isEmpty else { return }
                        (bytes.baseAddress! + offset).initialize(from: source, count: value.count)
                        offset += value.count
                    }
                    put(UInt8(ascii: "{"))
                    for (index, member) in members.enumerated() {
                        if index > 0 { put(UInt8(ascii: ",")) }
                        offset = PositionAttributes.writeKey(member.id, into: bytes, at: offset)
                        let quoted = member.kind != .number
                        if quoted { put(UInt8(ascii: "\"")) }
                        if member.copy >= 0 {
                            copies[Int(member.copy)].withUnsafeBufferPointer { put(contentsOf: $0) }
                        } else {
                            put(contentsOf: member.value)
                        }
                        if quoted { put(UInt8(ascii: "\"")) }
                    }
                    put(UInt8(ascii: "}"))
                    for member in members { put(member.kind.rawValue) }
                    written = offset
                }
                return PositionAttributes(storage: storage, jsonCount: jsonCount, count: count)
            }
        }

        /// The members, in the order appended (until sorted here).
        private mutating func withMutableMembers<Result>(
            _ body: (UnsafeMutableBufferPointer<Member>) -> Result
        ) -> Result {
            if self.ids != nil { return self.spilled.withUnsafeMutableBufferPointer { body($0) } }
            let count = self.count
            return withUnsafeMutableBytes(of: &self.inline) { raw in
                // Not `raw.assumingMemoryBound`: the tuple's size lacks the last member's padding.
                body(
                    UnsafeMutableBufferPointer(
                        start: raw.baseAddress!.assumingMemoryBound(to: Member.self),
                        count: count
                    )
                )
            }
        }
    }

    /// The bytes of `"<id>":`.
    private static func keyCount(_ id: UInt16) -> Int {
        let digits = id >= 10_000 ? 5 : id >= 1_000 ? 4 : id >= 100 ? 3 : id >= 10 ? 2 : 1
        return digits + 3
    }

    /// Writes `"<id>":` at `offset` of `bytes`; returns the offset after it.
    private static func writeKey(_ id: UInt16, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        let end = offset + Self.keyCount(id)
        bytes[offset] = UInt8(ascii: "\"")
        bytes[end - 2] = UInt8(ascii: "\"")
        bytes[end - 1] = UInt8(ascii: ":")
        var value = id
        var digit = end - 3
        repeat {
            bytes[digit] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
            digit -= 1
        } while value > 0
        return end
    }
}
