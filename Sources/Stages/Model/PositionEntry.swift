/// A decoded position with the id of the stream entry it came from, which is acknowledged once the
/// position is stored.
public struct PositionEntry: Sendable, Hashable {
    public var entryID: String
    public var position: Position

    public init(entryID: String, position: Position) {
        self.entryID = entryID
        self.position = position
    }
}
