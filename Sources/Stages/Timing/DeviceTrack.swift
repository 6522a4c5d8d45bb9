/// One device's track for one event (CONTRACT §6.2, §6.3): its recent fixes in `ts` order, judged in `ts`
/// order, and its crossings of the course's gates.
///
/// - Important: Arrival order never changes the result. A fix takes its place by `ts`; the judgements after
///   it are made again (until a judgement can no longer have changed: nothing changed within the `jump`
///   reference age before it), and the crossings of every segment from the one it ends onwards are computed
///   again. So the crossings and the counted crossings are those of the fixes held, whatever order they came
///   in. Crossings of fixes evicted from the front are kept (they are few: one per gate passed).
///
/// Memory: at most ``TrackSettings/maxFixesPerDevice`` fixes, and only those within `late_window` (plus the
/// `jump` reference age) of the newest non-faulty one; 24 bytes each (``HeldFix``), with at most a quarter
/// more room than it holds (or twice, after a trim).
public struct DeviceTrack: Sendable {
    /// A crossing of one gate: its time (µs, not rounded) and the end of the segment it lies on.
    struct Candidate: Sendable, Hashable {
        var time: Double
        var segmentEnd: Int64
    }

    public enum Insertion: Sendable, Hashable {
        /// A fix with this `ts` is held already: the first one wins.
        case duplicate
        /// Older than `late_window` behind the newest non-faulty fix, or than the oldest fix held.
        case tooLate
        /// Taken into the track; `countedChanged` when the device's counted crossings changed; `fault` its
        /// judgement in `ts` order as it stands (a fix that comes later with an older `ts` may change it).
        case inserted(countedChanged: Bool, fault: Fault?)
    }

    /// The fixes held, in `ts` order, each `ts` once.
    public private(set) var fixes: [HeldFix] = []
    /// The newest non-faulty fix evicted (still a `jump` reference and the start of the next segment).
    private var evictedGood: HeldFix?
    /// Fixes at or before this `ts` were evicted: one arriving there now is too late.
    private var evictedUpTo: Int64?
    /// The newest non-faulty `ts`.
    public private(set) var newestGood: Int64?
    /// Per checkpoint (course order), the crossings of its gate in time order.
    private var candidates: [[Candidate]]
    /// Per checkpoint, the counted crossing time (CourseOrder), nil where none counts.
    public private(set) var counted: [Double?]
    /// Fixes evicted because a limit of fixes was reached (not by age).
    public private(set) var evictedByLimit = 0

    public init(checkpoints: Int) {
        self.candidates = Array(repeating: [], count: checkpoints)
        self.counted = Array(repeating: nil, count: checkpoints)
    }

    /// Every crossing of each checkpoint's gate, in time order (µs, not rounded).
    public var crossings: [[Double]] { self.candidates.map { $0.map(\.time) } }

    /// Takes `fix` into the track, judges it and the fixes after it in `ts` order, and finds the crossings
    /// of the segments it changed.
    public mutating func insert(_ fix: TrackFix, course: Course, settings: TrackSettings) -> Insertion {
        if let newest = self.newestGood, fix.timestamp < newest - settings.lateWindow { return .tooLate }
        if let evicted = self.evictedUpTo, fix.timestamp <= evicted { return .tooLate }
        let index = self.insertionIndex(fix.timestamp)
        if index < self.fixes.count && self.fixes[index].timestamp == fix.timestamp { return .duplicate }
        if self.fixes.count == self.fixes.capacity {
            // Grown by a quarter, not doubled: a track's spare room is memory every device pays for.
            self.fixes.reserveCapacity(self.fixes.count + self.fixes.count / 4 + 8)
        }
        self.fixes.insert(HeldFix(fix, rules: settings.rules), at: index)
        self.judge(from: index, rules: settings.rules)
        let fault = self.fixes[index].fault
        let changed = self.findCrossings(from: index, course: course, settings: settings)
        var countedChanged = false
        if changed {
            let counted = CourseOrder.counted(self.crossings)
            countedChanged = counted != self.counted
            self.counted = counted
        }
        self.evictOld(settings: settings)
        return .inserted(countedChanged: countedChanged, fault: fault)
    }

    /// Evicts the oldest fixes until at most `count` are held (a total limit shared by all tracks).
    public mutating func trim(to count: Int) {
        let excess = self.fixes.count - max(count, 2)
        guard excess > 0 else { return }
        self.evictFront(excess)
        self.evictedByLimit += excess
    }

    // MARK: - Judging in ts order

    private mutating func judge(from index: Int, rules: FaultRules) {
        let age = rules.thresholds.referenceAge.microseconds
        var lastChange = self.fixes[index].timestamp
        var position = index
        while position < self.fixes.count {
            let fix = self.fixes[position]
            if position > index && fix.timestamp - lastChange > age { break }
            // The rules a fix breaks alone were judged when it was taken; only `jump` depends on the others.
            var fault = fix.ownFault
            if fault == nil, rules.jumps(fix.location, from: self.reference(before: position, rules: rules)) {
                fault = .jump
            }
            if position == index || fault != fix.fault {
                self.fixes[position].fault = fault
                lastChange = fix.timestamp
            }
            position += 1
        }
        self.newestGood = self.fixes.last(where: { $0.fault == nil })?.timestamp ?? self.evictedGood?.timestamp
    }

    /// The `jump` reference of the fix at `position`: the nearest older non-faulty fix, if young enough.
    private func reference(before position: Int, rules: FaultRules) -> Fix? {
        let fix = self.fixes[position].location
        var candidate = position - 1
        while candidate >= 0 {
            let older = self.fixes[candidate]
            if older.fault == nil { return rules.isReference(older.location, for: fix) ? older.location : nil }
            if !rules.isReference(older.location, for: fix) { return nil }
            candidate -= 1
        }
        guard let evicted = self.evictedGood?.location, rules.isReference(evicted, for: fix) else { return nil }
        return evicted
    }

    // MARK: - Crossings

    /// Drops the crossings of segments ending at or after the fix at `index`, and finds them again from the
    /// segment that ends at the first usable fix from there on. Returns whether any crossing changed.
    private mutating func findCrossings(from index: Int, course: Course, settings: TrackSettings) -> Bool {
        let from = self.fixes[index].timestamp
        // Per gate, where its crossings from `from` on began, and those (usually none: a fix in order ends a
        // new segment) to compare with what is found again.
        var dropped: [(gate: Int, from: Int, crossings: ArraySlice<Candidate>)] = []
        for gate in self.candidates.indices {
            guard let last = self.candidates[gate].last, last.segmentEnd >= from else { continue }
            let keep = self.candidates[gate].lastIndex(where: { $0.segmentEnd < from }).map { $0 + 1 } ?? 0
            dropped.append((gate, keep, self.candidates[gate][keep...]))
            self.candidates[gate].removeSubrange(keep...)
        }
        let before = self.candidates.reduce(0) { $0 + $1.count } + dropped.reduce(0) { $0 + $1.crossings.count }
        var previous = self.fixes[..<index].last(where: { Self.isUsable($0, course) })
        if previous == nil, let evicted = self.evictedGood, course.window.contains(evicted.timestamp) {
            previous = evicted
        }
        for fix in self.fixes[index...] where Self.isUsable(fix, course) {
            defer { previous = fix }
            guard let start = previous, fix.timestamp - start.timestamp <= settings.maxGap else { continue }
            let (a, b) = (start.location, fix.location)
            for (gate, geometry) in course.gates.enumerated() {
                guard let fraction = geometry.crossing(from: a, to: b) else { continue }
                self.candidates[gate].append(
                    Candidate(time: CheckpointGate.time(at: fraction, from: a, to: b), segmentEnd: fix.timestamp)
                )
            }
        }
        // Changed: as many crossings as before, and each gate's dropped ones found again, means unchanged.
        guard self.candidates.reduce(0, { $0 + $1.count }) == before else { return true }
        return dropped.contains { !self.candidates[$0.gate][$0.from...].elementsEqual($0.crossings) }
    }

    /// Whether a fix is part of the track the crossings are found on: non-faulty, in the event's window.
    private static func isUsable(_ fix: HeldFix, _ course: Course) -> Bool {
        fix.fault == nil && course.window.contains(fix.timestamp)
    }

    // MARK: - Memory

    private mutating func evictOld(settings: TrackSettings) {
        var excess = max(self.fixes.count - settings.maxFixesPerDevice, 0)
        self.evictedByLimit += excess
        if let newest = self.newestGood {
            let keepFrom = newest - settings.lateWindow - settings.rules.thresholds.referenceAge.microseconds
            let old = self.fixes.partitioningIndex { $0.timestamp >= keepFrom }
            excess = max(excess, min(old, self.fixes.count - 1))
        }
        if excess > 0 { self.evictFront(excess) }
    }

    private mutating func evictFront(_ count: Int) {
        if let good = self.fixes[..<count].last(where: { $0.fault == nil }) { self.evictedGood = good }
        self.evictedUpTo = self.fixes[count - 1].timestamp
        self.fixes.removeFirst(count)
        if self.fixes.capacity > 2 * self.fixes.count + 16 {
            // Trimmed to a share of the total: give the room back, not only the fixes.
            var kept: [HeldFix] = []
            // Room for a few more: at its share, a track takes one and gives one back.
            kept.reserveCapacity(self.fixes.count + 8)
            kept.append(contentsOf: self.fixes)
            self.fixes = kept
        }
    }

    private func insertionIndex(_ timestamp: Int64) -> Int {
        if let last = self.fixes.last, last.timestamp < timestamp { return self.fixes.count }
        return self.fixes.partitioningIndex { $0.timestamp >= timestamp }
    }
}

extension Array {
    /// The first index whose element satisfies `belongsInSecondPartition` (all before it do not), by binary
    /// search: the array must be partitioned by it.
    func partitioningIndex(where belongsInSecondPartition: (Element) -> Bool) -> Int {
        var low = 0
        var high = self.count
        while low < high {
            let middle = (low + high) / 2
            if belongsInSecondPartition(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
