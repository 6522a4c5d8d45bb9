import BenchmarkSupport
import Foundation

/// `--prefill`'s figures side by side: per shape, the empty table's, the filled table's and how each moved
/// (filled / empty); then issue 16's goals for the hypertable, each beside what was measured.
struct PrefillReport {
    let figures: [PrefillScenario.ShapeFigures]
    let rows: Int

    private static let labelWidth = 40
    private static let columnWidth = 13

    private static func cell(_ text: String) -> String {
        String(repeating: " ", count: max(0, Self.columnWidth - text.count)) + text
    }

    private static func label(_ text: String) -> String {
        text.padding(toLength: Self.labelWidth, withPad: " ", startingAt: 0)
    }

    /// A row: per shape its value before, after, and after / before.
    private func row(
        _ name: String,
        _ format: (Double) -> String,
        _ value: (PrefillScenario.ShapeFigures, _ filled: Bool) -> Double
    ) -> String {
        var line = Self.label(name)
        for shape in self.figures {
            let (before, after) = (value(shape, false), value(shape, true))
            line +=
                Self.cell(format(before)) + Self.cell(format(after))
                + Self.cell(String(format: "%.2f×", after / before))
        }
        return line
    }

    var text: String {
        guard !self.figures.isEmpty else { return "no shape measured" }
        let rate = { (value: Double) in grouped(value) }
        let ratio = { (value: Double) in String(format: "%.2f×", value) }
        let ms = { (value: Double) in String(format: "%.1f", value) }
        var lines: [String] = []
        lines.append(
            Self.label("")
                + self.figures.map {
                    let title = $0.shape.title
                    let width = 3 * Self.columnWidth
                    return String(repeating: " ", count: max(0, width - title.count)) + title
                }.joined()
        )
        lines.append(
            Self.label("")
                + self.figures.map {
                    Self.cell("empty") + Self.cell(grouped(Double($0.storedRows))) + Self.cell("moved")
                }.joined()
        )
        lines.append(
            self.row("durable-write rows/s, process start on", rate) {
                $1 ? $0.prefilled.drain.startRate : $0.empty.startRate
            }
        )
        lines.append(
            self.row("durable-write rows/s, steady state", rate) {
                $1 ? $0.prefilled.drain.steadyRate : $0.empty.steadyRate
            }
        )
        lines.append(
            self.row("COPY into positions rows/s", rate) { $1 ? $0.prefilled.copyRate : $0.empty.copyRate }
        )
        lines.append(
            self.row("ratio durable-write / COPY (start on)", ratio) {
                let rates = $1 ? $0.prefilled.rates : $0.empty
                return rates.startRate / rates.copyRate
            }
        )
        lines.append(
            self.row("ratio durable-write / COPY (steady)", ratio) {
                let rates = $1 ? $0.prefilled.rates : $0.empty
                return rates.steadyRate / rates.copyRate
            }
        )
        lines.append(
            self.row("snapshot, 1,000 devices, ms p50 *", ms) {
                ScaleReads.median(($1 ? $0.atScale : $0.raceAlone).snapshotMilliseconds)
            }
        )
        lines.append(
            self.row("snapshot, ms max *", ms) { (($1 ? $0.atScale : $0.raceAlone).snapshotMilliseconds.max() ?? 0) }
        )
        lines.append(
            self.row("replay of a 3-hour race, ms p50 *", ms) {
                ScaleReads.median(($1 ? $0.atScale : $0.raceAlone).replayMilliseconds)
            }
        )
        lines.append(
            self.row("replay, ms max *", ms) { (($1 ? $0.atScale : $0.raceAlone).replayMilliseconds.max() ?? 0) }
        )
        lines.append(
            "rates: \"empty\" is the mean of the empty table's two measurements, before the fill and after the"
                + " filled table's (each COPY rate the mean of the COPYs before and after flowrun's drain):"
        )
        for shape in self.figures {
            let (before, after) = (shape.emptyBefore, shape.emptyAfter)
            lines.append(
                "  \(shape.shape.title): durable-write from process start \(grouped(before.drain.startRate)) then"
                    + " \(grouped(after.drain.startRate)) rows/s, COPY \(grouped(before.copyRate)) then"
                    + " \(grouped(after.copyRate)) rows/s"
            )
        }
        lines.append(
            "* reads: \"empty\" is with race 0 alone stored ("
                + self.figures.map { "\(grouped(Double($0.raceAloneRows))) rows" }.joined(separator: ", ")
                + "): the rows they return, nothing else; \(ScaleReads.runs) runs each"
        )
        if let hypertable = self.figures.first(where: { $0.shape == .hypertable }) {
            lines.append("")
            lines.append(
                "issue 16's goals, on the hypertable with \(grouped(Double(hypertable.storedRows))) rows stored:"
            )
            let (empty, filled) = (hypertable.empty, hypertable.prefilled.rates)
            lines.append(
                String(
                    format: "  durable-write filled / empty ≥ 0.90×:      %.2f× from process start, %.2f× steady state",
                    filled.startRate / empty.startRate,
                    filled.steadyRate / empty.steadyRate
                )
            )
            lines.append(
                String(
                    format:
                        "  durable-write / COPY, filled table ≥ 0.80×: %.2f× from process start, %.2f× steady state",
                    filled.startRate / filled.copyRate,
                    filled.steadyRate / filled.copyRate
                )
            )
            lines.append(
                "  snapshot of 1,000 devices ≤ 20 ms:          "
                    + ScaleReads.summary(hypertable.atScale.snapshotMilliseconds)
            )
            lines.append(
                "  one device's 3-hour race replay ≤ 50 ms:    "
                    + ScaleReads.summary(hypertable.atScale.replayMilliseconds)
            )
            if let compressed = hypertable.compressed {
                let before = compressed.after.uncompressedBefore(compressed.before)
                lines.append(
                    String(
                        format: "  compressed chunks ≤ 20%% of uncompressed:   %.1f%% (%.1f MB → %.1f MB, %d chunks)",
                        100 * Double(compressed.after.compressedBytes) / Double(max(before, 1)),
                        Double(before) / 1e6,
                        Double(compressed.after.compressedBytes) / 1e6,
                        compressed.after.compressedChunks
                    )
                )
                lines.append(
                    "  reads from compressed chunks: snapshot "
                        + ScaleReads.summary(compressed.reads.snapshotMilliseconds) + "; replay "
                        + ScaleReads.summary(compressed.reads.replayMilliseconds)
                )
            }
        }
        return lines.joined(separator: "\n")
    }
}
