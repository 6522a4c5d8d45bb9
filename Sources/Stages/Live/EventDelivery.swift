import Flow

/// A position and the race events it goes to: what ``EventLookup`` hands to ``FanOut``.
public struct EventDelivery: Sendable, Hashable {
    public var position: LivePosition
    /// Lowercase event ids.
    public var events: Set<String>

    public init(position: LivePosition, events: Set<String>) {
        self.position = position
        self.events = events
    }
}

/// `{"events":["<event-id>",…],"position":<live position>}`: the events sorted, the position as browsers
/// get it (CONTRACT §5).
extension EventDelivery: CustomTapRepresentation {
    public var tapJSON: String {
        let events = self.events.sorted().map(JSONString.quoted).joined(separator: ",")
        return "{\"events\":[\(events)],\"position\":\(self.position.tapJSON)}"
    }
}
