import Foundation
import Logging
import Stages
import Synchronization

/// Writes each log record as one JSON object per line on standard error (`log.format: json`), for log
/// shippers: `{"ts":"…","level":"info","logger":"flowrun","message":"…","source":"Flow","pipeline":"…",…}`.
///
/// Metadata keys become top-level fields (a key that clashes with `ts`, `level`, `logger`, `message` or
/// `source` is prefixed with `meta_`); nested metadata is written as JSON arrays and objects.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info
    let label: String

    /// One lock for every handler, so that lines from concurrent tasks never interleave.
    private static let output = Mutex(())

    init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let metadata = event.metadata { merged.merge(metadata) { $1 } }
        var line = "{"
        Self.append(key: "ts", string: Self.timestamp(), to: &line, first: true)
        Self.append(key: "level", string: event.level.rawValue, to: &line)
        Self.append(key: "logger", string: self.label, to: &line)
        Self.append(key: "message", string: "\(event.message)", to: &line)
        Self.append(key: "source", string: event.source, to: &line)
        for key in merged.keys.sorted() {
            let name = ["ts", "level", "logger", "message", "source"].contains(key) ? "meta_" + key : key
            line += ","
            Self.appendString(name, to: &line)
            line += ":"
            Self.append(merged[key]!, to: &line)
        }
        line += "}\n"
        Self.output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private static func append(key: String, string: String, to line: inout String, first: Bool = false) {
        if !first { line += "," }
        appendString(key, to: &line)
        line += ":"
        appendString(string, to: &line)
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text): appendString(text, to: &line)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, value) in values.enumerated() {
                if index > 0 { line += "," }
                append(value, to: &line)
            }
            line += "]"
        case .dictionary(let values):
            line += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                append(values[key]!, to: &line)
            }
            line += "}"
        }
    }

    static func appendString(_ text: String, to line: inout String) {
        JSONString.append(text, to: &line)
    }

    /// The current time, ISO-8601 UTC with milliseconds.
    private static func timestamp() -> String {
        Date.now.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)
        )
    }
}
