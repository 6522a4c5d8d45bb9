import Stages

/// What `flowrun timing recompute` and `flowrun timing standings` print: plain text, one line per row.
enum TimingOutput {
    /// A recompute's report: a summary line, then each change of the `crossings` table and the positions
    /// re-judged.
    ///
    /// ```
    /// event 6f1c…: 1 crossing changed, 2 of 840 positions re-judged
    ///   Team A  Split (seq 2)  2026-05-02T16:00:10.250Z → 2026-05-02T16:00:12.500Z
    ///   positions re-judged: jump → not faulty: 2
    /// ```
    static func report(_ report: TimingRecompute.Report) -> String {
        let event = report.event
        let changed = report.changes.count
        var text = "event \(event.course.event): "
        if changed == 0 && report.rejudged.isEmpty {
            text += "nothing changed (\(report.positions) positions judged)"
        } else {
            text += "\(changed) crossing\(changed == 1 ? "" : "s") changed, \(report.rejudgedCount) of"
            text += " \(report.positions) positions re-judged"
        }
        if !report.written && (changed > 0 || !report.rejudged.isEmpty) { text += " (dry run: nothing written)" }
        text += "\n"
        let lines = report.changes.map { change -> [String] in
            let crossing = change.change.crossing
            let new = change.change.operation == .upsert ? Timestamp.format(crossing.timestamp) : "removed"
            return [
                Self.name(of: crossing.entry, in: event),
                Self.checkpoint(crossing, in: event.course),
                (change.previous.map { Timestamp.format($0.timestamp) } ?? "new") + " → " + new,
            ]
        }
        text += Self.table(lines, indent: "  ")
        if !report.rejudged.isEmpty {
            let transitions = report.rejudged.keys.sorted().map { transition in
                "\(transition.from ?? "not faulty") → \(transition.to ?? "not faulty"): "
                    + "\(report.rejudged[transition] ?? 0)"
            }
            text += "  positions re-judged: " + transitions.joined(separator: ", ") + "\n"
        }
        return text
    }

    /// The standings table, with a header line.
    static func standings(_ standings: Standings, event: TimedEvents.Event) -> String {
        var lines = [["place", "entry", "checkpoints", "last", "elapsed", "gap"]]
        for row in standings.rows {
            let gap: String
            switch row.gap {
            case .leader: gap = "leader"
            case .time(let behind): gap = "+" + Standings.clock(behind)
            case .checkpoints(let fewer): gap = "+\(fewer) checkpoint\(fewer == 1 ? "" : "s")"
            case nil: gap = "-"
            }
            lines.append([
                row.place.map { "\($0)" } ?? "-",
                row.entry.name ?? row.entry.id,
                "\(row.counted)/\(standings.total)",
                row.last.map(\.name) ?? "-",
                row.elapsed.map(Standings.clock) ?? "-",
                gap,
            ])
        }
        let header = "event \(event.course.event): standings, \(event.entries.count) entries\n"
        return header + Self.table(lines, indent: "")
    }

    private static func name(of entry: String, in event: TimedEvents.Event) -> String {
        guard let found = event.entries.first(where: { $0.id == entry }) else { return entry }
        return found.name ?? found.id
    }

    private static func checkpoint(_ crossing: CrossingRecord, in course: Course) -> String {
        let name = course.checkpoints.first { $0.id == crossing.checkpoint }?.name ?? "checkpoint"
        return "\(name) (seq \(crossing.seq))"
    }

    /// Columns padded to their widest cell, two spaces apart.
    private static func table(_ rows: [[String]], indent: String) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { $0.count > column ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            return indent + cells.joined(separator: "  ") + "\n"
        }.joined()
    }
}
