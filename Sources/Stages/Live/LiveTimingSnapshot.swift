/// What `subscribed` carries of an event's timing (CONTRACT §6.5): its course, its entries and its counted
/// crossings, as the tables hold them when the snapshot is read.
public struct LiveTimingSnapshot: Sendable, Hashable {
    /// The checkpoints in `seq` order; empty for an event that is not timed.
    public var course: [Checkpoint]
    /// The entries, by id, each with its devices' IMEIs.
    public var entries: [EventEntry]
    /// The event's rows of `crossings`, by entry and checkpoint.
    public var crossings: [CrossingRecord]

    public init(course: [Checkpoint] = [], entries: [EventEntry] = [], crossings: [CrossingRecord] = []) {
        self.course = course
        self.entries = entries
        self.crossings = crossings
    }
}
