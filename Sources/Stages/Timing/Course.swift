/// An event's course (CONTRACT §6.1): its checkpoints in `seq` order, the first the `start`, the last the
/// `finish`, every other one a `split`; and its timing window (§6.3).
///
/// - Important: A `Course` is valid by construction: ``init(event:checkpoints:window:)`` throws a
///   ``CourseError`` naming the first rule broken, and an event whose course does not validate is not timed
///   (its positions are still stored and broadcast).
public struct Course: Sendable, Hashable {
    /// The event's id, a lowercase UUID.
    public let event: String
    /// In `seq` order; at least 2.
    public let checkpoints: [Checkpoint]
    /// The event's timing window (`starts_at` … `ends_at`).
    public let window: TimingWindow
    /// Each checkpoint's gate, in the order of ``checkpoints``.
    public let gates: [CheckpointGate]

    /// CheckpointGate lengths allowed, in metres.
    public static let gateLengths: ClosedRange<Double> = 1...2_000

    public init(event: String, checkpoints: [Checkpoint], window: TimingWindow = .open) throws(CourseError) {
        let event = event.lowercased()
        let sorted = checkpoints.sorted { $0.seq < $1.seq }
        guard !sorted.isEmpty else { throw CourseError(event: event, reason: .noCheckpoints) }
        guard sorted.count >= 2 else { throw CourseError(event: event, reason: .tooFewCheckpoints(sorted.count)) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.seq == b.seq {
            throw CourseError(event: event, reason: .duplicateSeq(a.seq))
        }
        for (index, checkpoint) in sorted.enumerated() {
            let expected: Checkpoint.Kind =
                index == 0 ? .start : index == sorted.count - 1 ? .finish : .split
            guard checkpoint.kind == expected else {
                throw CourseError(event: event, reason: .wrongKind(seq: checkpoint.seq, is: checkpoint.kind, expected))
            }
            let coordinates = [checkpoint.lat1, checkpoint.lon1, checkpoint.lat2, checkpoint.lon2]
            guard coordinates.allSatisfy(\.isFinite), abs(checkpoint.lat1) <= 90, abs(checkpoint.lat2) <= 90,
                abs(checkpoint.lon1) <= 180, abs(checkpoint.lon2) <= 180
            else {
                throw CourseError(event: event, reason: .coordinatesOutOfRange(seq: checkpoint.seq))
            }
            let length = checkpoint.length
            guard Self.gateLengths.contains(length) else {
                throw CourseError(event: event, reason: .gateLength(seq: checkpoint.seq, metres: length))
            }
        }
        if let starts = window.starts, let ends = window.ends, ends < starts {
            throw CourseError(event: event, reason: .windowEndsBeforeStart)
        }
        self.event = event
        self.checkpoints = sorted
        self.window = window
        self.gates = sorted.map(CheckpointGate.init)
    }
}

/// An event's timing window (CONTRACT §3 `starts_at` … `ends_at`): each bound µs since the epoch, open when nil.
public struct TimingWindow: Sendable, Hashable {
    public var starts: Int64?
    public var ends: Int64?

    public static let open = TimingWindow(starts: nil, ends: nil)

    public init(starts: Int64?, ends: Int64?) {
        self.starts = starts
        self.ends = ends
    }

    /// Whether a position at `timestamp` (µs) is inside the window, bounds included.
    public func contains(_ timestamp: Int64) -> Bool {
        (self.starts.map { timestamp >= $0 } ?? true) && (self.ends.map { timestamp <= $0 } ?? true)
    }
}

/// Why an event's course is not timed: logged once per refresh, counted in
/// `flowrun_courses_invalid{event}`.
public struct CourseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case noCheckpoints
        case tooFewCheckpoints(Int)
        case duplicateSeq(Int)
        case wrongKind(seq: Int, is: Checkpoint.Kind, Checkpoint.Kind)
        case coordinatesOutOfRange(seq: Int)
        case gateLength(seq: Int, metres: Double)
        case windowEndsBeforeStart
        case unknownKind(seq: Int, String)
    }

    public var event: String
    public var reason: Reason

    public var description: String {
        let why: String
        switch self.reason {
        case .noCheckpoints: why = "it has no checkpoints"
        case .tooFewCheckpoints(let count): why = "it has \(count) checkpoint; a course needs at least 2"
        case .duplicateSeq(let seq): why = "two checkpoints have seq \(seq)"
        case .wrongKind(let seq, let kind, let expected):
            why =
                "checkpoint seq \(seq) is a '\(kind.rawValue)'; in its place the course needs a '\(expected.rawValue)'"
                + " (the first is the start, the last the finish, every other a split)"
        case .coordinatesOutOfRange(let seq):
            why =
                "checkpoint seq \(seq) has a coordinate that is not a finite latitude in [-90, 90] or longitude"
                + " in [-180, 180]"
        case .gateLength(let seq, let metres):
            why = "checkpoint seq \(seq) is a gate \(Int(metres.rounded())) m long; a gate is 1 m to 2 km"
        case .windowEndsBeforeStart: why = "the event's ends_at is before its starts_at"
        case .unknownKind(let seq, let kind):
            why = "checkpoint seq \(seq) has kind '\(kind)'; a kind is 'start', 'split' or 'finish'"
        }
        return "event \(self.event) is not timed: \(why)"
    }
}
