import Testing

@testable import Stages

@Suite(.timeLimit(.minutes(1))) struct StreamIDTests {
    @Test(arguments: [
        "1-0", "0-0", "10-99", "100-7", "1714667812123-18", "18446744073709551615-18446744073709551615",
    ])
    func canonicalText_parsesAndPrintsBackTheSame(_ text: String) throws {
        let id = try #require(StreamID(text))
        #expect(id.description == text)
        let written = withUnsafeTemporaryAllocation(byteCount: StreamID.maxTextCount, alignment: 1) { buffer in
            String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<id.write(into: buffer)]), as: UTF8.self)
        }
        #expect(written == text)
        #expect(RedisArgument(id) == RedisArgument(text), "an id is sent to Redis as its text")
    }

    @Test(arguments: ["", "1", "-", "1-", "-1", "01-0", "1-01", "1-0-0", "a-1", "18446744073709551616-0", "1 -0"])
    func otherText_isNotAnID(_ text: String) {
        #expect(StreamID(text) == nil)
    }

    @Test func ids_compareAsRedisOrdersThem() {
        let ids: [StreamID] = ["10-0", "9-5", "9-10", "0-1"]
        #expect(ids.sorted() == ["0-1", "9-5", "9-10", "10-0"])
    }

    @Test func successor_isTheNextID_alsoAcrossAMillisecond() {
        #expect((StreamID(milliseconds: 9, sequence: 5)).successor == "9-6")
        #expect(StreamID(milliseconds: 9, sequence: .max).successor == "10-0")
    }
}
