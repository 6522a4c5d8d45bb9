import Flow

/// `{"event_id":"…","op":"upsert"|"remove","crossing":<crossing>}`: the change as the stream holds it.
extension CrossingChange: CustomTapRepresentation {
    public var tapJSON: String {
        "{\"event_id\":\(JSONString.quoted(self.crossing.event)),\"op\":\"\(self.operation.rawValue)\","
            + "\"crossing\":\(self.crossing.json)}"
    }
}
