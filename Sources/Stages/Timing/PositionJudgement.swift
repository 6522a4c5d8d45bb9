/// A stored position's judgement (CONTRACT §2 `faulty` and `fault`, §6.2), by its identity within its device:
/// its `ts`.
public struct PositionJudgement: Sendable, Hashable {
    /// The position's `ts`, µs since the epoch.
    public var timestamp: Int64
    public var faulty: Bool
    /// The rule's name (``Fault/rawValue``) when faulty; nil when not. Stored text, so possibly a name this
    /// version does not know.
    public var fault: String?

    public init(timestamp: Int64, faulty: Bool, fault: String?) {
        self.timestamp = timestamp
        self.faulty = faulty
        self.fault = fault
    }

    /// The judgement `fault` gives (nil: not faulty), as the columns hold it.
    public init(timestamp: Int64, _ fault: Fault?) {
        self.init(timestamp: timestamp, faulty: fault != nil, fault: fault?.rawValue)
    }
}
