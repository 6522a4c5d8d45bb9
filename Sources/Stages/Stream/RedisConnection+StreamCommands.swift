/// The stream commands on a real Redis connection, with their replies read straight from hiredis's nodes.
extension RedisConnection: StreamCommands {
    public func createGroup(_ group: String, on stream: String, at start: GroupStart) throws(RedisError) -> Bool {
        do {
            try self.send([
                "XGROUP", "CREATE", RedisArgument(stream), RedisArgument(group), RedisArgument(start.description),
                "MKSTREAM",
            ])
            return true
        } catch  where error.serverCode == "BUSYGROUP" {
            return false
        }
    }

    public func moveGroupToEnd(_ group: String, on stream: String) throws(RedisError) {
        try self.send(["XGROUP", "SETID", RedisArgument(stream), RedisArgument(group), "$"])
    }

    public func readGroup(_ read: GroupRead) throws(RedisError) -> StreamPage {
        var arguments: [RedisArgument] = [
            "XREADGROUP", "GROUP", RedisArgument(read.group), RedisArgument(read.consumer),
            "COUNT", RedisArgument(String(read.count)),
        ]
        if let block = read.block { arguments += ["BLOCK", RedisArgument(String(block.milliseconds))] }
        if read.noAck { arguments.append("NOACK") }
        arguments += ["STREAMS", RedisArgument(read.stream)]
        switch read.position {
        case .pending(let after): arguments.append(RedisArgument(after))
        case .new: arguments.append(">")
        }
        return try self.send(arguments, blocking: read.block ?? .zero, decode: Self.page(inReadReply:))
    }

    public func pending(_ query: PendingQuery) throws(RedisError) -> [PendingEntry] {
        var arguments: [RedisArgument] = ["XPENDING", RedisArgument(query.stream), RedisArgument(query.group)]
        if let idle = query.minIdle { arguments += ["IDLE", RedisArgument(String(idle.milliseconds))] }
        arguments += [
            RedisArgument(query.start), query.end.map { RedisArgument($0) } ?? "+",
            RedisArgument(String(query.count)),
        ]
        if let consumer = query.consumer { arguments.append(RedisArgument(consumer)) }
        let reply = try self.send(arguments)
        return (reply.array ?? []).compactMap { item in
            // [id, consumer, idle ms, deliveries]
            guard let fields = item.array, fields.count == 4, let id = fields[0].string.flatMap(StreamID.init),
                let consumer = fields[1].string, let idle = fields[2].integer, let deliveries = fields[3].integer
            else { return nil }
            return PendingEntry(id: id, consumer: consumer, idle: .milliseconds(idle), deliveries: Int(deliveries))
        }
    }

    public func pendingCounts(of stream: String, group: String) throws(RedisError) -> [String: Int] {
        let reply = try self.send(["XPENDING", RedisArgument(stream), RedisArgument(group)])
        // [count, smallest id, greatest id, [[consumer, count as a string], …] | null]
        guard let summary = reply.array, summary.count == 4 else { return [:] }
        var counts: [String: Int] = [:]
        for item in summary[3].array ?? [] {
            guard let fields = item.array, fields.count == 2, let consumer = fields[0].string,
                let count = fields[1].string.flatMap({ Int($0) }) ?? fields[1].integer.map({ Int($0) })
            else { continue }
            counts[consumer] = count
        }
        return counts
    }

    public func claim(
        _ ids: [StreamID],
        on stream: String,
        group: String,
        for consumer: String,
        minIdle: Duration
    ) throws(RedisError) -> StreamPage {
        guard !ids.isEmpty else { return StreamPage() }
        let arguments: [RedisArgument] =
            [
                "XCLAIM", RedisArgument(stream), RedisArgument(group), RedisArgument(consumer),
                RedisArgument(String(minIdle.milliseconds)),
            ] + ids.map { RedisArgument($0) }
        return try self.send(arguments, decode: Self.page(inList:))
    }

    @discardableResult
    public func acknowledge(_ ids: [StreamID], on stream: String, group: String) throws(RedisError) -> Int {
        guard !ids.isEmpty else { return 0 }
        let reply = try self.send(
            ["XACK", RedisArgument(stream), RedisArgument(group)] + ids.map { RedisArgument($0) }
        )
        return Int(reply.integer ?? 0)
    }

    public func append(to stream: String, fields: [StreamEntry.Field]) throws(RedisError) {
        try self.send(Self.xadd(stream, fields))
    }

    public func append(to stream: String, entries: [[StreamEntry.Field]]) throws(RedisError) {
        let replies = try self.send(pipeline: entries.map { Self.xadd(stream, $0) })
        for reply in replies {
            guard case .error(let message) = reply else { continue }
            throw RedisError(kind: .server, endpoint: self.endpoint, command: "XADD", message: message)
        }
    }

    private static func xadd(_ stream: String, _ fields: [StreamEntry.Field]) -> [RedisArgument] {
        var arguments: [RedisArgument] = ["XADD", RedisArgument(stream), "*"]
        arguments.reserveCapacity(3 + 2 * fields.count)
        for field in fields {
            arguments.append(RedisArgument(field.name))
            arguments.append(RedisArgument(bytes: field.value))
        }
        return arguments
    }

    // MARK: - Replies

    /// `XREADGROUP` → `[[stream, [[id, [field, value, …]], …]]]`, or null when nothing came.
    @Sendable static func page(inReadReply reply: inout RedisReplyCursor) -> StreamPage {
        guard case .array(let streams)? = reply.next(), streams >= 1 else { return StreamPage() }
        guard case .array(let pair)? = reply.next(), pair == 2 else { return StreamPage() }
        reply.skip()  // the stream's name
        return self.page(inList: &reply)
    }

    /// `[[id, [field, value, …] | null], …]`; a null field list is an entry deleted while pending.
    @Sendable static func page(inList reply: inout RedisReplyCursor) -> StreamPage {
        var page = StreamPage()
        guard case .array(let count)? = reply.next() else { return page }
        page.entries.reserveCapacity(count)
        for _ in 0..<count {
            // An item is [id, [field, value, …] | null]; anything else is skipped whole (Redis sends no such
            // item, and its ids are always `ms-seq`).
            guard case .array(let pair)? = reply.next() else { continue }
            guard pair == 2 else {
                for _ in 0..<pair { reply.skip() }
                continue
            }
            guard let idBytes = reply.nextString(), let id = StreamID.parse(idBytes) else {
                reply.skip()  // the fields
                continue
            }
            var peek = reply
            guard case .array(let values)? = peek.next() else {
                reply.skip()
                page.deleted.append(id)
                continue
            }
            reply = peek
            // Two passes over the fields: count their bytes, then pack them into one array of that size.
            var fields = 0
            var byteCount = 0
            Self.forEachField(values, in: &peek) { name, value in
                fields += 1
                byteCount += name.count + value.count
            }
            let packedCount = StreamEntry.Packer.packedCount(fields: fields, byteCount: byteCount)
            let packed = StreamEntry.Packer.pack(packedCount: packedCount) { packer in
                Self.forEachField(values, in: &reply) { packer.append(name: $0, value: $1) }
            }
            page.entries.append(StreamEntry(id: id, packed: packed))
        }
        return page
    }

    /// Reads the `count` nodes of a field list `[field, value, …]`, calling `body` with each pair whose name
    /// and value are both strings.
    private static func forEachField(
        _ count: Int,
        in reply: inout RedisReplyCursor,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) {
        var name: UnsafeRawBufferPointer?
        for position in 0..<count {
            let bytes = reply.nextString()
            if position % 2 == 0 {
                name = bytes
            } else if let name, let bytes {
                body(name, bytes)
            }
        }
    }
}
