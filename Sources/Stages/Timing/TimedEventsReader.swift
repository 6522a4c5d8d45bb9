/// Where race-timing reads the events to time: the CMS's registry (``PostgresTimedEvents``), or a fake in a
/// unit test.
public protocol TimedEventsReader: Sendable {
    /// Every event with checkpoints: timed when its course is valid, with the reason when it is not.
    func timedEvents() async throws -> TimedEvents
}
