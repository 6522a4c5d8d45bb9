import Foundation
import Stages

/// How one kind of scalar value is read from its text (after interpolation), and what it must look like,
/// for the message when it does not.
struct ConfigurationValue<Value> {
    /// What the value must look like, e.g. `a whole number ≥ 1`; messages say "expected <this>, found …".
    let expected: String
    /// Hides secrets (a URL's password) in what a message shows of a wrong value.
    var redact: (String) -> String = { $0 }
    /// The value, or `nil` when the text is not one.
    let parse: (String) -> Value?
}

extension ConfigurationValue where Value == Bool {
    static var bool: Self {
        Self(expected: "true or false") { ["true": true, "false": false][$0.lowercased()] }
    }
}

extension ConfigurationValue where Value == Int {
    /// A count: a whole number ≥ 1.
    static var count: Self {
        Self(expected: "a whole number ≥ 1") { Self.wholeNumber($0).flatMap { $0 >= 1 ? $0 : nil } }
    }

    /// A whole number ≥ `minimum`.
    static func atLeast(_ minimum: Int) -> Self {
        Self(expected: "a whole number ≥ \(minimum)") { Self.wholeNumber($0).flatMap { $0 >= minimum ? $0 : nil } }
    }

    /// A whole number ≥ 0.
    static var nonNegative: Self { .atLeast(0) }

    /// A TCP port; 0 asks for any free port.
    static var port: Self {
        Self(expected: "a port number from 0 to 65535") { Self.wholeNumber($0).flatMap { $0 <= 65535 ? $0 : nil } }
    }

    private static func wholeNumber(_ text: String) -> Int? {
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return Int(text)
    }
}

extension ConfigurationValue where Value == Int {
    /// A map zoom level, 0–24.
    static var zoom: Self {
        Self(expected: "a zoom level from 0 to 24") { text in
            guard let zoom = Self.nonNegative.parse(text), zoom <= 24 else { return nil }
            return zoom
        }
    }
}

extension ConfigurationValue where Value == String? {
    /// A tile URL template: `http://` or `https://`, a host, and each of `{z}`, `{x}`, `{y}`; empty: none.
    static var tileTemplate: Self {
        let example = "http://tiles.example.org/{z}/{x}/{y}.png"
        return Self(expected: "an http:// or https:// URL with {z}, {x} and {y}, like \(example)") { text in
            if text.isEmpty { return .some(nil) }
            let lower = text.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"),
                MapTiles.placeholders.allSatisfy(text.contains),
                let host = URLComponents(string: text.replacing(/\{[xyz]\}/, with: "0"))?.host, !host.isEmpty
            else { return nil }
            return .some(text)
        }
    }

    /// Any text; empty: none.
    static var optionalText: Self {
        Self(expected: "text") { .some($0.isEmpty ? nil : $0) }
    }
}

extension ConfigurationValue where Value == Double {
    /// A finite decimal number greater than zero, e.g. a speed: `300` or `120.5`.
    static func positiveNumber(_ what: String) -> Self {
        Self(expected: "a number greater than zero (\(what)) like 300 or 120.5") { text in
            let isDecimal = text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "." }
            guard !text.isEmpty, isDecimal, let value = Double(text), value.isFinite, value > 0 else { return nil }
            return value
        }
    }
}

extension ConfigurationValue where Value == String {
    /// Any non-empty string, e.g. a stream key.
    static func nonEmpty(_ what: String) -> Self {
        Self(expected: "a non-empty \(what)") { $0.isEmpty ? nil : $0 }
    }

    /// A consumer name: non-empty, printable, without spaces.
    static var consumerName: Self {
        Self(expected: "a non-empty name without spaces, e.g. processor-1") { text in
            let printable = text.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }
            return !text.isEmpty && printable ? text : nil
        }
    }
}

extension ConfigurationValue where Value == String? {
    /// A stream key, or the empty string for `nil` (the default the pipeline derives).
    static var optionalStream: Self {
        Self(expected: "a stream key, or \"\" for the default") { .some($0.isEmpty ? nil : $0) }
    }
}

extension ConfigurationValue where Value == Duration {
    /// A duration such as `250ms`, `1.5s`, `2m` or `1h`; `positive` rejects zero.
    static func duration(positive: Bool) -> Self {
        let bound = positive ? " greater than zero" : ""
        return Self(expected: "a duration\(bound) like 250ms, 1.5s, 2m or 1h (units ms, s, m, h)") { text in
            Self.parseDuration(text).flatMap { !positive || $0 > .zero ? $0 : nil }
        }
    }

    /// A non-negative decimal number followed by `ms`, `s`, `m` or `h`, with no space; `nil` for anything
    /// else, including a negative or a too large value. Precision beyond a nanosecond is rounded.
    static func parseDuration(_ text: String) -> Duration? {
        let units: [(suffix: String, nanoseconds: Int64)] = [
            ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
        ]
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }) else { return nil }
        let number = text.dropLast(unit.suffix.count).split(separator: ".", omittingEmptySubsequences: false)
        let isDigits = { (part: Substring) in
            !part.isEmpty && part.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
        }
        guard number.count <= 2, number.allSatisfy(isDigits), let whole = Int64(number[0]) else { return nil }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: unit.nanoseconds)
        guard !overflow else { return nil }
        guard number.count == 2, let fraction = Double("0.\(number[1])") else { return .nanoseconds(scaled) }
        let (total, sumOverflow) = scaled.addingReportingOverflow(
            Int64((fraction * Double(unit.nanoseconds)).rounded())
        )
        return sumOverflow ? nil : .nanoseconds(total)
    }
}

extension ConfigurationValue where Value == Duration? {
    /// `off` (nil), or a duration greater than zero that may also be in days: `7d`, `168h`, `90d`.
    static var durationOrOff: Self {
        Self(expected: "off, or a duration greater than zero like 12h, 7d or 90d (units ms, s, m, h, d)") { text in
            if text == "off" { return .some(nil) }
            let duration: Duration?
            if text.hasSuffix("d") {
                // As many hours, 24 times over (a day is 24 h here: PostgreSQL's interval does the same).
                duration = ConfigurationValue<Duration>.parseDuration(text.dropLast() + "h").map { $0 * 24 }
            } else {
                duration = ConfigurationValue<Duration>.parseDuration(text)
            }
            guard let duration, duration > .zero else { return nil }
            return .some(duration)
        }
    }
}

extension ConfigurationValue where Value == URL {
    /// A URL with one of `schemes` (lowercase) and, if `requiresHost`, a host. Passwords are hidden in messages.
    static func url(schemes: [String], example: String, requiresHost: Bool = true) -> Self {
        let names = schemes.map { "\($0)://" }.joined(separator: " or ")
        return Self(expected: "a \(names) URL like \(example)", redact: Self.redactPassword) { text in
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                schemes.contains(scheme), text.contains("://"),
                !requiresHost || !(components.host ?? "").isEmpty
            else { return nil }
            return URL(string: text)
        }
    }

    /// `scheme://user:secret@host` → `scheme://user:***@host`.
    private static func redactPassword(_ text: String) -> String {
        guard let start = text.firstRange(of: "://")?.upperBound, let at = text[start...].lastIndex(of: "@"),
            let colon = text[start..<at].firstIndex(of: ":")
        else { return text }
        return text[..<text.index(after: colon)] + "***" + text[at...]
    }
}

extension ConfigurationValue {
    /// One of an enumeration's raw values, e.g. a log level.
    static func oneOf(_ type: Value.Type) -> Self where Value: CaseIterable & RawRepresentable<String> {
        let names = type.allCases.map(\.rawValue)
        let list = names.count == 2 ? names.joined(separator: " or ") : "one of \(names.joined(separator: ", "))"
        return Self(expected: list) { Value(rawValue: $0) }
    }
}

extension ConfigurationValue where Value == GroupStart {
    /// `beginning`, `end`, or a stream id `<milliseconds>-<sequence>`.
    static var startPosition: Self {
        Self(expected: "beginning, end, or a stream id like 1714667812123-0") { text in
            switch text {
            case "beginning": return .beginning
            case "end": return .end
            default:
                let parts = text.split(separator: "-", omittingEmptySubsequences: false)
                let digits = parts.allSatisfy {
                    !$0.isEmpty && $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
                }
                guard parts.count == 2, digits, let milliseconds = UInt64(parts[0]), let sequence = UInt64(parts[1])
                else { return nil }
                return .after(StreamID(milliseconds: milliseconds, sequence: sequence))
            }
        }
    }
}
