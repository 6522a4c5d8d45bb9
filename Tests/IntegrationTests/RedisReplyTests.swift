import Testing

@testable import Stages

/// Replies read from the real Redis through hiredis into the connection's reply arena (no `redisReply`
/// tree): every kind of node, a pipeline of replies, and stream pages decoded straight from the nodes.
extension Integration {
    @Suite struct RedisReplyTests {
        @Test func everyKindOfReplyReadsBackAsItsRedisReply() async throws {
            try await TestWorld.run { world in
                let redis = world.redis
                let key = world.stream + ":hash"
                let replies = try await redis.send(pipeline: [
                    ["SET", RedisArgument(key + ":s"), RedisArgument(bytes: [0, 1, 255, 10])],
                    ["GET", RedisArgument(key + ":s")],
                    ["GET", RedisArgument(key + ":missing")],
                    ["INCRBY", RedisArgument(key + ":n"), "-42"],
                    ["HSET", RedisArgument(key), "a", "1", "b", ""],
                    ["HMGET", RedisArgument(key), "a", "nope", "b"],
                    ["NOSUCHCOMMAND"],
                    ["ECHO", RedisArgument(String(repeating: "x", count: 100_000))],
                ])
                #expect(replies.count == 8)
                #expect(replies[0] == .status("OK"))
                #expect(replies[1] == .bulk([0, 1, 255, 10]))
                #expect(replies[2] == .null)
                #expect(replies[3] == .integer(-42))
                #expect(replies[4] == .integer(2))
                #expect(replies[5] == .array([.bulk(Array("1".utf8)), .null, .bulk([])]))
                guard case .error(let message) = replies[6] else {
                    Issue.record("expected an error reply, got \(replies[6])")
                    return
                }
                #expect(message.contains("unknown command"))
                #expect(replies[7] == .bulk(Array(repeating: UInt8(ascii: "x"), count: 100_000)))
                // The arena was reset between replies: a later small reply is read whole and alone.
                #expect(try await redis.send(["PING"]) == .status("PONG"))
                try await redis.send(["DEL", RedisArgument(key), RedisArgument(key + ":s"), RedisArgument(key + ":n")])
            }
        }

        @Test func anErrorReplyIsThrownWithoutCallingTheDecoder() async throws {
            try await TestWorld.run { world in
                let error = await #expect(throws: RedisError.self) {
                    try await world.redis.send(["XREADGROUP", "GROUP", "nogroup", "c", "STREAMS", "nokey", ">"]) { _ in
                        Issue.record("the decoder ran for an error reply")
                        return 0
                    }
                }
                #expect(error?.serverCode == "NOGROUP")
            }
        }

        @Test func streamPagesDecodeEntriesAndDeletedPendingOnesFromTheNodes() async throws {
            try await TestWorld.run { world in
                let redis = world.redis
                let stream = RedisArgument(world.stream)
                try await redis.send(["XGROUP", "CREATE", stream, "g", "0", "MKSTREAM"])
                var ids: [StreamID] = []
                for index in 0..<3 {
                    let id = try await redis.send([
                        "XADD", stream, "*", "device_id", RedisArgument("35000000000000\(index)"), "payload",
                        RedisArgument(bytes: [UInt8(ascii: "{"), UInt8(index), 0xFF, UInt8(ascii: "}")]),
                    ])
                    ids.append(try #require(id.string.flatMap(StreamID.init)))
                }
                let first = try await redis.send(
                    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", stream, ">"],
                    decode: RedisConnection.page(inReadReply:)
                )
                #expect(first.entries.map(\.id) == ids)
                #expect(first.deleted.isEmpty)
                #expect(first.entries[2].fields.map(\.name) == ["device_id", "payload"])
                #expect(first.entries[2].value(of: "device_id") == Array("350000000000002".utf8))
                #expect(first.entries[2].value(of: "payload") == [UInt8(ascii: "{"), 2, 0xFF, UInt8(ascii: "}")])

                // Deleted while pending: re-read from the pending list, it comes with a null field list.
                try await redis.send(["XDEL", stream, RedisArgument(ids[1])])
                let pending = try await redis.send(
                    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", stream, "0"],
                    decode: RedisConnection.page(inReadReply:)
                )
                #expect(pending.entries.map(\.id) == [ids[0], ids[2]])
                #expect(pending.deleted == [ids[1]])

                // Nothing new: a null reply is an empty page.
                let none = try await redis.send(
                    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", stream, ">"],
                    decode: RedisConnection.page(inReadReply:)
                )
                #expect(none.entries.isEmpty && none.deleted.isEmpty)
            }
        }
    }
}
