import Flow

/// A batch of positions ``WritePositions`` stored: the entries they came from, now safe to acknowledge, and
/// what the write found. It weighs its entries in a channel's bound (``Flow/Weighted``).
public struct WrittenBatch: Sendable, Hashable, Weighted {
    /// The stream entries of the batch; each one's position has a row.
    public var entryIDs: [StreamID]
    public var outcome: WriteOutcome

    public init(entryIDs: [StreamID], outcome: WriteOutcome) {
        self.entryIDs = entryIDs
        self.outcome = outcome
    }

    public var weight: Int { self.entryIDs.count }
}

/// `{"inserted":98,"duplicates":2,"entry_ids":["1714667812123-0",…]}`
extension WrittenBatch: CustomTapRepresentation {
    public var tapJSON: String {
        var json = "{\"inserted\":\(self.outcome.inserted),\"duplicates\":\(self.outcome.duplicates),\"entry_ids\":["
        for (index, id) in self.entryIDs.enumerated() {
            if index > 0 { json += "," }
            json += "\"\(id)\""
        }
        return json + "]}"
    }
}
