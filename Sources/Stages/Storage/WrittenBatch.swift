import Flow

/// A batch of positions the ``PositionWriter`` stored: the entries they came from, now safe to acknowledge,
/// and what the write found.
public struct WrittenBatch: Sendable, Hashable {
    /// The stream entries of the batch; each one's position has a row.
    public var entryIDs: [String]
    public var outcome: PositionWriter.Outcome

    public init(entryIDs: [String], outcome: PositionWriter.Outcome) {
        self.entryIDs = entryIDs
        self.outcome = outcome
    }
}

/// `{"inserted":98,"duplicates":2,"entry_ids":["1714667812123-0",…]}`
extension WrittenBatch: CustomTapRepresentation {
    public var tapJSON: String {
        var json = "{\"inserted\":\(self.outcome.inserted),\"duplicates\":\(self.outcome.duplicates),\"entry_ids\":["
        for (index, id) in self.entryIDs.enumerated() {
            if index > 0 { json += "," }
            JSONString.append(id, to: &json)
        }
        return json + "]}"
    }
}
