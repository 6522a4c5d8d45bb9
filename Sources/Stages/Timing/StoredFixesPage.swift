/// One page of stored fixes of several devices (``TimingStore/storedFixes(of:from:to:after:limit:)``): runs of
/// one device each, in `ts` order, the devices in the store's own order.
///
/// - Important: A page holds at most the `limit` asked for. When it holds exactly that many, the last run's
///   device may go on in the next page, which starts after ``next``; a page with fewer is the last.
public struct StoredFixesPage: Sendable {
    /// Where a page ends: its last fix's device and `ts`.
    public struct Cursor: Sendable, Hashable {
        public var device: String
        public var timestamp: Int64

        public init(device: String, timestamp: Int64) {
            self.device = device
            self.timestamp = timestamp
        }
    }

    /// Fixes of one device, in `ts` order.
    public struct Run: Sendable, Hashable {
        public var device: String
        public var fixes: [TrackFix]

        public init(device: String, fixes: [TrackFix]) {
            self.device = device
            self.fixes = fixes
        }
    }

    public var runs: [Run]
    /// Where the next page starts; nil when this one is the last.
    public var next: Cursor?

    public init(runs: [Run], next: Cursor?) {
        self.runs = runs
        self.next = next
    }

    /// The page of `rows` (in the store's order) read with `limit`.
    public init(rows: [(device: String, fix: TrackFix)], limit: Int) {
        var runs: [Run] = []
        for row in rows {
            if runs.last?.device == row.device {
                runs[runs.count - 1].fixes.append(row.fix)
            } else {
                runs.append(Run(device: row.device, fixes: [row.fix]))
            }
        }
        self.runs = runs
        self.next = rows.count >= limit ? rows.last.map { Cursor(device: $0.device, timestamp: $0.fix.timestamp) } : nil
    }
}
