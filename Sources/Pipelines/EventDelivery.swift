import Flow
import Stages

/// A position and the race events it goes to: what live-broadcast's `event-lookup` hands to the fan-out.
struct EventDelivery: Sendable {
    var position: LivePosition
    var events: Set<String>
}

/// `{"events":["<event-id>",…],"position":<live position>}`: the events sorted, the position as browsers
/// get it (CONTRACT §5).
extension EventDelivery: CustomTapRepresentation {
    var tapJSON: String {
        let events = self.events.sorted().map(JSONString.quoted).joined(separator: ",")
        return "{\"events\":[\(events)],\"position\":\(self.position.tapJSON)}"
    }
}
