/// The timing of one event (CONTRACT §6.3): its course, its entries, the track of each of its devices, and
/// the entries' counted crossings as the `crossings` table should hold them.
///
/// An entry's crossing of a checkpoint is the earliest counted crossing of it among the entry's devices
/// (ties: the smaller IMEI). Each fix taken returns the changes of the entries' results it caused:
/// `upsert` a crossing that appeared or changed (its rounded `ts` or its device), `remove` one that
/// disappeared. A result that did not change gives nothing.
public struct EventTiming: Sendable {
    public let course: Course
    public let entries: [EventEntry]
    /// IMEI → the indices of its entries in ``entries``.
    private let entriesOfDevice: [String: [Int]]
    /// IMEI → its track for this event.
    public private(set) var tracks: [String: DeviceTrack] = [:]
    /// The entries' counted crossings now, by row identity.
    public private(set) var results: [CrossingRecord.Key: CrossingRecord] = [:]
    /// How many fixes the tracks hold.
    public private(set) var fixesHeld = 0

    public init(course: Course, entries: [EventEntry]) {
        self.course = course
        self.entries = entries
        var entriesOfDevice: [String: [Int]] = [:]
        for (index, entry) in entries.enumerated() {
            for device in entry.devices { entriesOfDevice[device, default: []].append(index) }
        }
        self.entriesOfDevice = entriesOfDevice
    }

    /// The devices timed in this event.
    public var devices: Dictionary<String, [Int]>.Keys { self.entriesOfDevice.keys }

    /// Takes a fix of `device` (ignored when the device carries no entry of this event). Returns how it
    /// was taken, and appends to `changes` the changes of results it caused.
    @discardableResult
    public mutating func take(
        _ fix: TrackFix,
        device: String,
        settings: TrackSettings,
        changes: inout [CrossingChange]
    ) -> DeviceTrack.Insertion? {
        guard let entryIndices = self.entriesOfDevice[device] else { return nil }
        var track = self.tracks.removeValue(forKey: device) ?? DeviceTrack(checkpoints: self.course.checkpoints.count)
        let before = track.fixes.count
        let insertion = track.insert(fix, course: self.course, settings: settings)
        self.fixesHeld += track.fixes.count - before
        self.tracks[device] = track
        if case .inserted(countedChanged: true, _) = insertion {
            for index in entryIndices { self.update(entry: index, changes: &changes) }
        }
        return insertion
    }

    /// Trims `device`'s track to at most `count` fixes; returns how many were evicted.
    public mutating func trim(device: String, to count: Int) -> Int {
        guard var track = self.tracks.removeValue(forKey: device) else { return 0 }
        let before = track.fixes.count
        track.trim(to: count)
        self.tracks[device] = track
        self.fixesHeld -= before - track.fixes.count
        return before - track.fixes.count
    }

    /// Replaces the results by `stored` (the table's rows of this event, at a restart), and returns the
    /// changes that make the table equal to the results computed from the tracks.
    public mutating func reconcile(with stored: [CrossingRecord]) -> [CrossingChange] {
        let computed = self.results
        self.results = Dictionary(stored.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [CrossingChange] = []
        for index in self.entries.indices { self.update(entry: index, changes: &changes) }
        assert(self.results == computed, "reconciling must end at the computed results")
        return changes
    }

    /// Computes entry `index`'s counted crossings from its devices' tracks and records the changes.
    private mutating func update(entry index: Int, changes: inout [CrossingChange]) {
        let entry = self.entries[index]
        for (seq, checkpoint) in self.course.checkpoints.enumerated() {
            var best: (time: Double, device: String)?
            for device in entry.devices {
                guard let time = self.tracks[device]?.counted[seq] else { continue }
                if let current = best, (current.time, current.device) <= (time, device) { continue }
                best = (time, device)
            }
            let key = CrossingRecord.Key(entry: entry.id, checkpoint: checkpoint.id)
            let old = self.results[key]
            guard let best else {
                if let old {
                    self.results[key] = nil
                    changes.append(CrossingChange(.remove, old))
                }
                continue
            }
            let record = CrossingRecord(
                event: self.course.event,
                entry: entry.id,
                checkpoint: checkpoint.id,
                seq: checkpoint.seq,
                device: best.device,
                timestamp: roundedToMillisecond(best.time)
            )
            if record != old {
                self.results[key] = record
                changes.append(CrossingChange(.upsert, record))
            }
        }
    }
}
