/// An event's standings (CONTRACT §6.3 "Results"), from its counted crossings (the `crossings` table), its
/// course and its entries: what `flowrun timing standings` prints.
///
/// Order: the number of checkpoints counted (more first), then the elapsed time at the last one counted (its
/// crossing time minus the entry's start crossing time; less first), then the entry id. Entries without a
/// start come last (by the number counted, then the entry id) and have no place, elapsed time or gap.
///
/// - Important: Entries with the same number counted and the same elapsed time share a place (a dead heat),
///   listed by entry id; the next place skips as many (1, 2, 2, 4). Crossings of checkpoints that are not in
///   the course, or of entries not in the event, are ignored.
public struct Standings: Sendable, Hashable {
    /// One entry's line.
    public struct Row: Sendable, Hashable {
        /// From 1; nil for an entry without a start.
        public var place: Int?
        public var entry: EventEntry
        /// Checkpoints counted.
        public var counted: Int
        /// The last checkpoint counted (in course order), nil when none is.
        public var last: Checkpoint?
        /// µs from the start crossing to the last one counted; nil without a start.
        public var elapsed: Int64?
        /// Behind the leader; nil without a start.
        public var gap: Gap?
    }

    /// How far an entry is behind the leader (the first row).
    public enum Gap: Sendable, Hashable {
        /// The leader itself.
        case leader
        /// As many checkpoints counted as the leader, this much later (µs, ≥ 0).
        case time(Int64)
        /// This many checkpoints fewer counted than the leader.
        case checkpoints(Int)
    }

    /// The course's checkpoints.
    public let total: Int
    /// In standings order.
    public let rows: [Row]

    public init(course: Course, entries: [EventEntry], crossings: [CrossingRecord]) {
        self.total = course.checkpoints.count
        let order = Dictionary(
            course.checkpoints.enumerated().map { ($0.element.id, $0.offset) },
            uniquingKeysWith: { first, _ in first }
        )
        var times: [String: [Int: Int64]] = [:]
        for crossing in crossings {
            guard let index = order[crossing.checkpoint] else { continue }
            times[crossing.entry, default: [:]][index] = crossing.timestamp
        }
        var rows = entries.map { entry -> Row in
            let counted = times[entry.id] ?? [:]
            let last = counted.keys.max()
            let elapsed = counted[0].flatMap { start in last.flatMap { counted[$0] }.map { $0 - start } }
            return Row(
                place: nil,
                entry: entry,
                counted: counted.count,
                last: last.map { course.checkpoints[$0] },
                elapsed: elapsed,
                gap: nil
            )
        }
        rows.sort { a, b in
            switch (a.elapsed, b.elapsed) {
            case (let x?, let y?): return (-a.counted, x, a.entry.id) < (-b.counted, y, b.entry.id)
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return (-a.counted, a.entry.id) < (-b.counted, b.entry.id)
            }
        }
        if let leader = rows.first, let leaderElapsed = leader.elapsed {
            for index in rows.indices {
                guard let elapsed = rows[index].elapsed else { break }
                let previous = index > 0 ? rows[index - 1] : nil
                if let previous, previous.counted == rows[index].counted, previous.elapsed == elapsed {
                    rows[index].place = previous.place
                } else {
                    rows[index].place = index + 1
                }
                if index == 0 {
                    rows[index].gap = .leader
                } else if rows[index].counted == leader.counted {
                    rows[index].gap = .time(elapsed - leaderElapsed)
                } else {
                    rows[index].gap = .checkpoints(leader.counted - rows[index].counted)
                }
            }
        }
        self.rows = rows
    }

    /// `microseconds` as `h:mm:ss.mmm`, rounded to the millisecond (halves away from zero), `-` before a
    /// negative one.
    public static func clock(_ microseconds: Int64) -> String {
        let milliseconds = (microseconds.magnitude + 500) / 1_000
        let (hours, rest) = milliseconds.quotientAndRemainder(dividingBy: 3_600_000)
        let (minutes, rest2) = rest.quotientAndRemainder(dividingBy: 60_000)
        let (seconds, millis) = rest2.quotientAndRemainder(dividingBy: 1_000)
        func pad(_ value: UInt64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(width - text.count, 0)) + text
        }
        let sign = microseconds < 0 ? "-" : ""
        return "\(sign)\(hours):\(pad(minutes, 2)):\(pad(seconds, 2)).\(pad(millis, 3))"
    }
}
