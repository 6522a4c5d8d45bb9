import BenchmarkSupport
import Foundation
import Stages

/// The `crossings` rows of an event against the simulator's truth (`flowrun simulate --truth`): per entry and
/// checkpoint, the time the row says minus when its device truly crossed (the entry's earliest device).
struct TruthCheck {
    /// |row − truth| of every row that has a truth, ms, sorted.
    var errors: [Int64] = []
    /// Truths without a row.
    var missing = 0
    /// Rows without a truth.
    var extra = 0
    /// Truths in the file (one per device and checkpoint it crossed).
    var truths = 0

    func percentile(_ share: Double) -> Int64? {
        guard !self.errors.isEmpty else { return nil }
        let rank = Int((share * Double(self.errors.count)).rounded(.up)) - 1
        return self.errors[min(max(rank, 0), self.errors.count - 1)]
    }

    /// The truth of each entry's checkpoint crossings, µs rounded to the millisecond, read from `path`.
    static func read(path: String, entries: [EventEntry]) throws -> (byKey: [CrossingRecord.Key: Int64], lines: Int) {
        struct Line: Decodable {
            var device_id: String
            var checkpoint_id: String
            var ts: String
        }
        var entriesOfDevice: [String: [String]] = [:]
        for entry in entries {
            for device in entry.devices { entriesOfDevice[device, default: []].append(entry.id) }
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw BenchmarkFailure("cannot read the truth file \(path)")
        }
        var truth: [CrossingRecord.Key: Int64] = [:]
        var lines = 0
        let decoder = JSONDecoder()
        for line in text.split(separator: "\n") {
            let decoded = try decoder.decode(Line.self, from: Data(line.utf8))
            let time = try Timestamp.parse(decoded.ts)
            lines += 1
            for entry in entriesOfDevice[decoded.device_id] ?? [] {
                let key = CrossingRecord.Key(entry: entry, checkpoint: decoded.checkpoint_id.lowercased())
                truth[key] = min(truth[key] ?? .max, time)
            }
        }
        return (truth, lines)
    }

    init(rows: [CrossingRecord], truth: [CrossingRecord.Key: Int64], truths: Int) {
        self.truths = truths
        var matched = 0
        for row in rows {
            guard let time = truth[row.key] else {
                self.extra += 1
                continue
            }
            matched += 1
            self.errors.append(abs(row.timestamp - time) / 1000)
        }
        self.missing = truth.count - matched
        self.errors.sort()
    }
}
