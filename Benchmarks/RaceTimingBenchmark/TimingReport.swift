import BenchmarkSupport
import Foundation

/// The table of a run's races, side by side: one column per race, each figure labelled with its goal.
struct TimingReport {
    let races: [RaceMeasurement]

    func print() {
        let labelWidth = 58
        let columnWidth = 26
        func row(_ label: String, _ value: (RaceMeasurement) -> String) {
            let cells = self.races.map { pad(value($0), columnWidth) }.joined()
            Swift.print(label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + cells)
        }
        func rate(_ entries: Int, _ drain: FlowrunProcess.Drain) -> Double { Double(entries) / drain.seconds }
        func megabytes(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }
        func both(_ race: RaceMeasurement, _ value: (RaceMeasurement.TimingDrain) -> String) -> String {
            "\(value(race.timingCold)) / \(value(race.timingWarm))"
        }
        row("") { $0.noise == 0 ? "no noise" : String(format: "noise σ %g m", $0.noise) }
        row("positions in the stream (distinct, stored)") {
            "\(grouped(Double($0.entries))) (\(grouped(Double($0.stored))))"
        }
        row("durable-write: positions/s (start → last ack)") {
            "\(grouped(rate($0.entries, $0.durableWrite))) (\(String(format: "%.1f", $0.durableWrite.seconds)) s)"
        }
        row("race-timing, nothing stored yet: positions/s") {
            "\(grouped(rate($0.entries, $0.timingCold.drain))) (\(String(format: "%.1f", $0.timingCold.drain.seconds)) s)"
        }
        row("race-timing, after durable-write (rebuild): positions/s") {
            "\(grouped(rate($0.entries, $0.timingWarm.drain))) (\(String(format: "%.1f", $0.timingWarm.drain.seconds)) s)"
        }
        row("ratio race-timing / durable-write, cold / rebuild (≥ 1.0×)") { race in
            both(race) { String(format: "%.2f×", race.durableWrite.seconds / $0.drain.seconds) }
        }
        row("crossing changes/s, cold / rebuild") { race in
            both(race) { grouped(Double($0.changes) / $0.drain.seconds) }
        }
        row("crossing changes written, cold / rebuild") { race in both(race) { grouped(Double($0.changes)) } }
        row("crossings rows, cold / rebuild") { race in both(race) { grouped(Double($0.rows)) } }
        row("peak RSS MB: durable-write") { megabytes($0.durableWrite.peakResidentKiB) }
        row("peak RSS MB: race-timing cold / rebuild") { race in both(race) { megabytes($0.drain.peakResidentKiB) } }
        row("CPU s: durable-write") { String(format: "%.2f", $0.durableWrite.cpuSeconds) }
        row("CPU s: race-timing cold / rebuild") { race in both(race) { String(format: "%.2f", $0.drain.cpuSeconds) } }
        row("error vs truth ms p50 / p99 / max (rebuild)") { race in
            let truth = race.timingWarm.truth
            return [0.5, 0.99, 1].map { truth.percentile($0).map { "\($0)" } ?? "–" }.joined(separator: " / ")
        }
        row("  goal: no noise ≤ 50 ms; σ 3 m ≈ 190 / 850 (§6 reading)") { _ in "" }
        row("error vs truth ms p50 / p99 / max (cold)") { race in
            let truth = race.timingCold.truth
            return [0.5, 0.99, 1].map { truth.percentile($0).map { "\($0)" } ?? "–" }.joined(separator: " / ")
        }
        row("truths (device × checkpoint) / rows matched") { race in
            "\(grouped(Double(race.timingWarm.truth.truths))) / \(grouped(Double(race.timingWarm.truth.errors.count)))"
        }
        row("missing / extra against the truth, cold / rebuild") { race in
            both(race) { "\($0.truth.missing)+\($0.truth.extra)" }
        }
        row("rows differing from §6's definition, cold / rebuild (0)") { race in both(race) { "\($0.differences)" } }
    }
}

/// `text` right-aligned in `width` columns.
private func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(1, width - text.count)) + text
}
