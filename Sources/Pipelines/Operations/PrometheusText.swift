/// One sample of a Prometheus text exposition: a series (a name and its labels) and its value.
public struct MetricSample: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var value: Double

    public init(name: String, labels: [String: String] = [:], value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }
}

/// A line of a Prometheus text exposition that ``PrometheusText`` cannot read.
public struct PrometheusTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public var line: Int
    public var problem: String

    public var description: String { "line \(self.line): \(self.problem)" }
}

/// A minimal reader of the Prometheus text exposition format (0.0.4), enough for `flowrun top`:
///
/// ```
/// # HELP and # TYPE lines, and other comments, are skipped; so are empty lines.
/// flow_stage_items_in_total{pipeline="durable-write",stage="decode"} 1042
/// flowrun_live_connections 3 1714667812123
/// ```
///
/// - Important: Label values are unescaped (`\\`, `\"`, `\n`); a trailing comma in the label set is
///   accepted; a timestamp after the value is ignored. Values may be `+Inf`, `-Inf` and `NaN`. Any other
///   deviation throws, naming the line, rather than reading a wrong number.
public enum PrometheusText {
    public static func parse(_ text: String) throws(PrometheusTextError) -> [MetricSample] {
        var samples: [MetricSample] = []
        var number = 0
        // Split on the byte: as Characters, "\r\n" is one, which is not "\n".
        for line in Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            var reader = LineReader(Array(line))
            reader.skipSpaces()
            if reader.atEnd || reader.peek == UInt8(ascii: "#") { continue }
            do {
                samples.append(try reader.sample())
            } catch {
                throw PrometheusTextError(line: number, problem: error.problem)
            }
        }
        return samples
    }
}

/// Reads one sample line, byte by byte.
private struct LineReader {
    struct Failure: Error {
        var problem: String
    }

    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { self.position >= self.bytes.count }
    var peek: UInt8? { self.atEnd ? nil : self.bytes[self.position] }

    mutating func skipSpaces() {
        while let byte = self.peek, Self.isSpace(byte) { self.position += 1 }
    }

    mutating func sample() throws(Failure) -> MetricSample {
        let name = try self.identifier(what: "a metric name", colons: true)
        var labels: [String: String] = [:]
        self.skipSpaces()
        if self.peek == UInt8(ascii: "{") {
            self.position += 1
            labels = try self.labelSet()
        }
        self.skipSpaces()
        let token = self.token()
        guard let value = PrometheusText.number(token) else {
            throw Failure(problem: token.isEmpty ? "no value after \(name)" : "'\(token)' is not a number")
        }
        return MetricSample(name: name, labels: labels, value: value)
    }

    /// After `{`: `name="value"` pairs separated by commas, up to and including `}`.
    private mutating func labelSet() throws(Failure) -> [String: String] {
        var labels: [String: String] = [:]
        while true {
            self.skipSpaces()
            if self.peek == UInt8(ascii: "}") {
                self.position += 1
                return labels
            }
            let name = try self.identifier(what: "a label name", colons: false)
            self.skipSpaces()
            try self.expect("=", after: name)
            self.skipSpaces()
            try self.expect("\"", after: "\(name)=")
            labels[name] = try self.quotedRest()
            self.skipSpaces()
            if self.peek == UInt8(ascii: ",") {
                self.position += 1
            } else if self.peek != UInt8(ascii: "}") {
                throw Failure(problem: "expected ',' or '}' after the value of label \(name)")
            }
        }
    }

    /// After an opening `"`: the value up to the closing one, unescaped.
    private mutating func quotedRest() throws(Failure) -> String {
        var value: [UInt8] = []
        while let byte = self.peek {
            self.position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = self.peek else { break }
                self.position += 1
                value.append(escaped == UInt8(ascii: "n") ? UInt8(ascii: "\n") : escaped)
            default:
                value.append(byte)
            }
        }
        throw Failure(problem: "a label value is not closed with '\"'")
    }

    private mutating func identifier(what: String, colons: Bool) throws(Failure) -> String {
        let start = self.position
        while let byte = self.peek, Self.isNameByte(byte, first: self.position == start, colons: colons) {
            self.position += 1
        }
        guard self.position > start else {
            throw Failure(problem: "expected \(what) at column \(start + 1)")
        }
        return String(decoding: self.bytes[start..<self.position], as: UTF8.self)
    }

    private mutating func expect(_ character: Character, after what: String) throws(Failure) {
        guard let ascii = character.asciiValue, self.peek == ascii else {
            throw Failure(problem: "expected '\(character)' after \(what)")
        }
        self.position += 1
    }

    /// Up to the next space or the end.
    private mutating func token() -> String {
        let start = self.position
        while let byte = self.peek, !Self.isSpace(byte) { self.position += 1 }
        return String(decoding: self.bytes[start..<self.position], as: UTF8.self)
    }

    /// A space, a tab, or the `\r` of a CRLF line end.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func isNameByte(_ byte: UInt8, first: Bool, colons: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): true
        case UInt8(ascii: "0")...UInt8(ascii: "9"): !first
        case UInt8(ascii: ":"): colons
        default: false
        }
    }
}

extension PrometheusText {
    /// A value as the format writes it: a float, `+Inf`, `-Inf` or `NaN`.
    static func number(_ token: String) -> Double? {
        switch token {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(token)
        }
    }
}
