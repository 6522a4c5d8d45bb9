import Testing

@testable import Stages

/// Commands as RESP bytes (``RESPCommand``): what hiredis sends as given.
@Suite struct RESPCommandTests {
    @Test func eachArgument_isItsLengthThenItsBytes_textRawAndStreamIDsAlike() {
        let command = RESPCommand([
            "XACK", RedisArgument("telemetry:t"), RedisArgument(bytes: [0x00, 0x0D, 0x0A, 0xFF]),
            RedisArgument(StreamID(milliseconds: 1_714_667_812_123, sequence: 10)), RedisArgument(""),
        ])
        let expected: [[UInt8]] = [
            Array("*5\r\n$4\r\nXACK\r\n$11\r\ntelemetry:t\r\n$4\r\n".utf8), [0x00, 0x0D, 0x0A, 0xFF],
            Array("\r\n$16\r\n1714667812123-10\r\n$0\r\n\r\n".utf8),
        ]
        let bytes = expected.flatMap { $0 }
        #expect(command.bytes == bytes)
    }

    @Test func lengthsOfTenOrMoreDigits_andManyArguments_areWrittenInFull() {
        let long = String(repeating: "x", count: 1_234_567)
        let command = RESPCommand([RedisArgument(long)] + Array(repeating: RedisArgument("a"), count: 11))
        #expect(command.bytes.starts(with: Array("*12\r\n$1234567\r\nxxx".utf8)))
        #expect(command.bytes.count == 5 + 10 + 1_234_567 + 2 + 11 * 7)
    }
}
