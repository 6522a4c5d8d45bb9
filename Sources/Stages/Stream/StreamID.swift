/// A Redis Stream entry id, `<milliseconds>-<sequence>`, as its two numbers: parsed once where a reply is
/// read, compared and hashed as numbers from then on, and written back as text only where Redis or a
/// person reads it.
///
/// - Important: Ids compare as Redis orders them: by milliseconds, then by sequence. Text and value round-trip
///   exactly: ``init(_:)`` accepts only the canonical form (decimal digits without leading zeros, each part
///   within 64 bits), which is what ``description`` writes.
public struct StreamID: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var milliseconds: UInt64
    public var sequence: UInt64

    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// Parses `<milliseconds>-<sequence>`; nil for anything else.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        guard let parsed = text.withUTF8({ Self.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// For literals in tests and examples: `"1714667812123-0"`. A literal that is not an id is a programming error.
    public init(stringLiteral text: String) {
        guard let id = StreamID(text) else { preconditionFailure("not a stream id: \(text)") }
        self = id
    }

    /// The smallest id, `0-0`.
    public static let zero = StreamID(milliseconds: 0, sequence: 0)

    public var description: String { "\(self.milliseconds)-\(self.sequence)" }

    public static func < (a: StreamID, b: StreamID) -> Bool {
        (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
    }

    /// The id written as text into `buffer` (at least ``maxTextCount`` bytes); returns the bytes written.
    func write(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var end = DecimalDigits.write(self.milliseconds, into: buffer, at: 0)
        buffer[end] = UInt8(ascii: "-")
        end = DecimalDigits.write(self.sequence, into: buffer, at: end + 1)
        return end
    }

    /// The most bytes an id takes as text: two 20-digit numbers and the dash.
    static let maxTextCount = 41

    /// Parses an id's text in place (a Redis reply's bytes).
    static func parse(_ bytes: UnsafeRawBufferPointer) -> StreamID? {
        guard let dash = bytes.firstIndex(of: UInt8(ascii: "-")),
            let milliseconds = Self.number(UnsafeRawBufferPointer(rebasing: bytes[..<dash])),
            let sequence = Self.number(UnsafeRawBufferPointer(rebasing: bytes[(dash + 1)...]))
        else { return nil }
        return StreamID(milliseconds: milliseconds, sequence: sequence)
    }

    private static func number(_ digits: UnsafeRawBufferPointer) -> UInt64? {
        guard !digits.isEmpty, digits.count == 1 || digits[0] != UInt8(ascii: "0") else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}

extension StreamID {
    /// The next id after this one: where a read that must not include this one starts.
    public var successor: StreamID {
        self.sequence == .max
            ? StreamID(milliseconds: self.milliseconds &+ 1, sequence: 0)
            : StreamID(milliseconds: self.milliseconds, sequence: self.sequence + 1)
    }
}
