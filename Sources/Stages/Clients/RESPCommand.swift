/// One command in RESP, the Redis protocol (`*<count>\r\n`, then `$<length>\r\n<bytes>\r\n` per argument):
/// what ``RedisConnection`` hands hiredis whole (`redisAppendFormattedCommand`).
///
/// Written here in one pass rather than by hiredis from an `argv`: hiredis formats each argument's header
/// with a printf-like `sdscatfmt`, after the arguments were copied into an `argv` of their own, which for an
/// `XACK` of thousands of ids was about 1 % of durable-write's CPU.
struct RESPCommand {
    private(set) var bytes: [UInt8] = []

    init(_ arguments: [RedisArgument]) {
        // Most arguments are ids and names: about 32 bytes with their header.
        self.bytes.reserveCapacity(16 + 32 * arguments.count)
        self.appendHeader(UInt8(ascii: "*"), arguments.count)
        for argument in arguments {
            argument.withUnsafeBytes { argument in
                self.appendHeader(UInt8(ascii: "$"), argument.count)
                self.bytes.append(contentsOf: argument)
                self.bytes.append(UInt8(ascii: "\r"))
                self.bytes.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// `<kind><number>\r\n`.
    private mutating func appendHeader(_ kind: UInt8, _ number: Int) {
        precondition(number >= 0, "RESP: a negative count or length")
        self.bytes.append(kind)
        withUnsafeTemporaryAllocation(byteCount: DecimalDigits.maxCount, alignment: 1) { digits in
            let end = DecimalDigits.write(UInt64(number), into: digits, at: 0)
            self.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[..<end]))
        }
        self.bytes.append(UInt8(ascii: "\r"))
        self.bytes.append(UInt8(ascii: "\n"))
    }
}
