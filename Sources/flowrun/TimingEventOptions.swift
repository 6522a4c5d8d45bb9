import ArgumentParser
import Stages

/// `--event <id>`, and the event it names as the registry has it.
struct TimingEventOptions: ParsableArguments {
    @Option(help: "The event's id (a UUID, as the CMS has it).")
    var event: String?

    /// The event `id` from `timed`, or a failure saying why it is not timed (an invalid course: its reason).
    static func event(_ id: String, in timed: TimedEvents) throws -> TimedEvents.Event {
        let id = id.lowercased()
        if let event = timed.events[id] { return event }
        if let error = timed.invalid[id] {
            throw CommandFailure("\(error) (fix the course in the CMS, then run again)")
        }
        throw CommandFailure(
            "event \(id) is not timed: it has no checkpoints in the registry (or no such event exists)"
        )
    }
}
