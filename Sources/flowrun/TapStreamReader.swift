import Foundation
import NIOCore

/// Reads the JSON lines of flowrun's `/tap` (see the operations port's `TapEndpoint`) as they arrive, in
/// pieces that may split a line: each `{"item":X}` becomes the line `X` for standard output; the opening,
/// `dropped` and `end` lines become notes for the operator.
struct TapStreamReader {
    /// What one piece of the stream gave.
    struct Output {
        /// Item lines, each ending in a newline.
        var items = ""
        /// Notes, each ending in a newline.
        var notes = ""
    }

    /// Whether the closing `end` line arrived.
    private(set) var ended = false
    /// The start of a line whose end has not arrived yet.
    private var partial: [UInt8] = []

    mutating func read(_ buffer: ByteBuffer) -> Output {
        var output = Output()
        var bytes = buffer.readableBytesView[...]
        while let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            self.partial.append(contentsOf: bytes[..<newline])
            self.line(String(decoding: self.partial, as: UTF8.self), into: &output)
            self.partial.removeAll(keepingCapacity: true)
            bytes = bytes[(newline + 1)...]
        }
        self.partial.append(contentsOf: bytes)
        return output
    }

    private mutating func line(_ line: String, into output: inout Output) {
        let itemPrefix = "{\"item\":"
        if line.hasPrefix(itemPrefix), line.hasSuffix("}") {
            output.items += line.dropFirst(itemPrefix.count).dropLast() + "\n"
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            if !line.isEmpty { output.notes += "flowrun tap: unexpected line from flowrun: \(line)\n" }
            return
        }
        if let tap = object["tap"] as? [String: Any] {
            output.notes += Self.opening(tap)
        } else if let end = object["end"] as? String {
            self.ended = true
            let items = object["items"] as? Int ?? 0
            let dropped = object["dropped"] as? Int ?? 0
            let why =
                switch end {
                case "limit": "the limit was reached"
                case "duration": "the duration has passed"
                case "pipeline-stopped": "the pipeline stopped (flowrun is shutting down, or a reload restarted it)"
                default: end
                }
            output.notes += "flowrun tap: ended, \(why): \(Self.items(items)), \(dropped) dropped\n"
        } else if let dropped = object["dropped"] as? Int {
            output.notes +=
                "flowrun tap: \(Self.items(dropped)) dropped: this client read too slowly (the pipeline did not wait)\n"
        }
    }

    private static func opening(_ tap: [String: Any]) -> String {
        let pipeline = tap["pipeline"] as? String ?? "?"
        let stage = tap["stage"] as? String ?? "?"
        let output = tap["output"] as? String ?? "?"
        let seconds = (tap["duration"] as? NSNumber).map { "\($0) s" } ?? "?"
        let until = (tap["limit"] as? Int).map { "until \(Self.items($0)) or \(seconds)" } ?? "for \(seconds)"
        return "flowrun tap: tapping \(pipeline) › \(stage) (\(output) items) \(until)\n"
    }

    /// `1 item`, `5 items`.
    private static func items(_ count: Int) -> String {
        count == 1 ? "1 item" : "\(count) items"
    }
}
