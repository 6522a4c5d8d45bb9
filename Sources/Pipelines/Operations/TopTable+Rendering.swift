extension TopTable {
    /// The table as plain text lines (no ANSI codes), each column as wide as its widest cell: names left,
    /// numbers right; `-` where a value is unknown. Ends with a newline.
    ///
    /// ```
    /// PIPELINE / STAGE     IN/S  OUT/S  QUEUE  ERRORS  ERRORS/S    P50  BUSY
    /// durable-write (running)
    ///   stream-source         0   1002      0       0         0      -    4%
    ///   decode             1002   1002      3       0         0   14µs    2%
    ///   device-state       1002   1002      0       0         0 ≤100µs    1%
    /// ```
    public func render() -> String {
        var stages: [TextTable.Row] = [
            .cells(["PIPELINE / STAGE", "IN/S", "OUT/S", "QUEUE", "ERRORS", "ERRORS/S", "P50", "BUSY"])
        ]
        for pipeline in self.pipelines {
            stages.append(.text(pipeline.name + Self.state(of: pipeline)))
            for stage in pipeline.stages {
                stages.append(
                    .cells([
                        "  " + stage.name, Self.rate(stage.inPerSecond), Self.rate(stage.outPerSecond),
                        Self.count(stage.queue), Self.count(stage.errors), Self.rate(stage.errorsPerSecond),
                        (stage.p50IsUpperBound ? "≤" : "") + Self.duration(stage.p50Seconds),
                        stage.busy.map { String(format: "%.0f%%", $0 * 100) } ?? "-",
                    ])
                )
            }
        }
        var text = self.pipelines.isEmpty ? "no flow_stage metrics in this scrape: is a pipeline running?\n" : ""
        if !self.pipelines.isEmpty { text += TextTable.render(stages) }
        text += "\n"
        if self.consumerGroups.isEmpty {
            text += "no consumer group metrics (flowrun_consumer_lag_entries) in this scrape\n"
        } else {
            var groups: [TextTable.Row] = [.cells(["STREAM", "CONSUMER GROUP", "LAG", "PENDING"])]
            for group in self.consumerGroups {
                groups.append(.cells([group.stream, group.group, Self.count(group.lag), Self.count(group.pending)]))
            }
            text += TextTable.render(groups, leftAligned: 2)
        }
        if !self.consumers.isEmpty {
            var consumers: [TextTable.Row] = [.cells(["PIPELINE", "CONSUMER", "PENDING", "OLDEST"])]
            for row in self.consumers {
                let oldest = row.oldestSeconds.map { Self.count($0) + "s" } ?? "-"
                consumers.append(.cells([row.pipeline, row.consumer, Self.count(row.pending), oldest]))
            }
            text += "\n" + TextTable.render(consumers, leftAligned: 2)
        }
        text += "\nlive connections: \(Self.count(self.liveConnections))"
        text += "    positions written: \(Self.rate(self.positionsWrittenPerSecond))/s"
        text += " (\(Self.count(self.positionsWritten)) in all)\n"
        return text
    }

    /// ` (running)`, ` (not running, 3 restarts)`; empty when the scrape does not say.
    static func state(of pipeline: PipelineSection) -> String {
        guard let running = pipeline.running else { return "" }
        var state = running >= 1 ? "running" : "not running"
        if let restarts = pipeline.restarts, restarts >= 1 {
            let count = Self.count(restarts)
            state += ", \(count) restart\(count == "1" ? "" : "s")"
        }
        return " (\(state))"
    }

    /// A rate: whole numbers from 10 up, one decimal below, `0` for none.
    static func rate(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        if value == 0 { return "0" }
        if abs(value) >= 10 { return String(Int(value.rounded())) }
        let tenths = Int((abs(value) * 10).rounded())
        return (value < 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }

    /// A gauge or a total, rounded to a whole number.
    static func count(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(Int(value.rounded()))
    }

    /// A duration in µs, ms or s, with two or three significant digits.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "-" }
        if seconds < 0.001 { return "\(Int((seconds * 1_000_000).rounded()))µs" }
        if seconds < 1 { return Self.rate(seconds * 1000) + "ms" }
        let hundredths = Int((seconds * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)s"
    }
}

/// Lays out rows of cells in columns two spaces apart: the first `leftAligned` columns (names) left-aligned,
/// the others (numbers) right-aligned.
enum TextTable {
    enum Row {
        /// Cells, one per column.
        case cells([String])
        /// A line of its own (a section title), not counted in the columns' widths.
        case text(String)
    }

    static func render(_ rows: [Row], leftAligned: Int = 1) -> String {
        var widths: [Int] = []
        for case .cells(let cells) in rows {
            for (index, cell) in cells.enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        var text = ""
        for row in rows {
            switch row {
            case .text(let line):
                text += line
            case .cells(let cells):
                text += cells.enumerated().map { index, cell in
                    let padding = String(repeating: " ", count: widths[index] - cell.count)
                    return index < leftAligned ? cell + padding : padding + cell
                }.joined(separator: "  ")
            }
            text += "\n"
        }
        return text
    }
}
