/// The events to time, as the CMS's registry has them at one moment (CONTRACT §3, §6.1): each timed event's
/// course and entries, and why the others are not timed.
public struct TimedEvents: Sendable, Hashable {
    /// Event id → its course and entries, for every event whose course is valid.
    public var events: [String: Event]
    /// Event id → why it is not timed, for every event with checkpoints that break §6.1's rules.
    public var invalid: [String: CourseError]

    public struct Event: Sendable, Hashable {
        public var course: Course
        public var entries: [EventEntry]

        public init(course: Course, entries: [EventEntry]) {
            self.course = course
            self.entries = entries.sorted { $0.id < $1.id }
        }
    }

    public static let none = TimedEvents(events: [:], invalid: [:])

    public init(events: [String: Event], invalid: [String: CourseError]) {
        self.events = events
        self.invalid = invalid
    }
}
