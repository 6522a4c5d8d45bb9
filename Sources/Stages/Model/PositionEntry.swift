/// A decoded position with the id of the stream entry it came from, which is acknowledged once the
/// position is stored.
public struct PositionEntry: Sendable, Hashable {
    public var entryID: StreamID
    public var position: Position
    /// Whether the position is newer than every position of its device this instance had seen or found
    /// stored before it (set by ``DeviceState``). A hint for the writer's cheaper path: a position
    /// marked newest may still be stored already (by another instance), so nothing relies on it for what
    /// is stored. Default: false.
    public var isNewest: Bool
    /// Why the position is faulty (CONTRACT §6.2, set by ``FlagFaults``); nil: not faulty, or not judged.
    /// Default: nil.
    public var fault: Fault?

    public init(entryID: StreamID, position: Position, isNewest: Bool = false, fault: Fault? = nil) {
        self.entryID = entryID
        self.position = position
        self.isNewest = isNewest
        self.fault = fault
    }
}
