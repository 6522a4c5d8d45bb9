import BenchmarkSupport
import Foundation
import Stages

/// The two reads whose time the table's size may change, each through flowrun's own type and statement:
/// the snapshot of race 0's event (``PostgresSnapshots``, CONTRACT §5: the latest non-faulty position of
/// each of its 1,000 devices) and one device's replay of race 0 (``PostgresTimingStore``'s stored fixes of
/// one device over the race's 3 hours, in `ts` order, every page of them), timed from the caller's side.
struct ScaleReads {
    /// Milliseconds of each run, in run order.
    var snapshotMilliseconds: [Double] = []
    var replayMilliseconds: [Double] = []
    /// Devices the snapshot returned; fixes of each replay.
    var snapshotDevices = 0
    var replayFixes: [Int] = []
    /// The machine's 1-minute load average when the reads started (/proc/loadavg): on a shared machine,
    /// how many processes wanted its cores meanwhile.
    var loadAverage: String = "?"

    /// Runs of each read.
    static let runs = 20

    /// Times ``runs`` snapshots of the event, then ``runs`` replays, each of another device of race 0.
    static func measure(_ postgres: PostgresConnection, season: SeasonFill) async throws -> ScaleReads {
        var reads = ScaleReads()
        reads.loadAverage =
            (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first
            .map(String.init) ?? "?"
        let snapshots = PostgresSnapshots(connection: postgres)
        for _ in 0..<Self.runs {
            let start = ContinuousClock.now
            let positions = try await snapshots.snapshot(event: SeasonFill.event)
            reads.snapshotMilliseconds.append(start.duration(to: .now) / .milliseconds(1))
            reads.snapshotDevices = positions.count
        }
        let store = PostgresTimingStore(connection: postgres)
        let devices = SeasonFill.devices(ofRace: 0)
        let from = season.raceStart(0)
        let to = from + Int64(3 * 3600) * 1_000_000
        for run in 0..<Self.runs {
            let device = devices[run * devices.count / Self.runs]
            let start = ContinuousClock.now
            let fixes = try await store.storedFixes(of: device, from: from, to: to)
            reads.replayMilliseconds.append(start.duration(to: .now) / .milliseconds(1))
            reads.replayFixes.append(fixes.count)
        }
        return reads
    }

    /// "p50 X ms, max Y ms" of `milliseconds`.
    static func summary(_ milliseconds: [Double]) -> String {
        String(format: "p50 %.1f ms, max %.1f ms", median(milliseconds), milliseconds.max() ?? 0)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// One line per read.
    var report: String {
        let fixes = Set(self.replayFixes).sorted().map { grouped(Double($0)) }.joined(separator: "/")
        return """
              snapshot of the event's \(grouped(Double(SeasonFill.devicesPerRace))) devices (\(grouped(Double(self.snapshotDevices))) positions returned), \(Self.runs) runs: \(Self.summary(self.snapshotMilliseconds))
              one device's 3-hour race (\(fixes) fixes), \(Self.runs) devices: \(Self.summary(self.replayMilliseconds))
              (the machine's load average: \(self.loadAverage))
            """
    }
}
