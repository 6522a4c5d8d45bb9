/// A competitor or team of an event (CONTRACT §3 `entries`), with the devices it carries (a spare tracker
/// makes two).
public struct EventEntry: Sendable, Hashable {
    /// The entry's id, a lowercase UUID.
    public var id: String
    /// Shown on the map; nil when the CMS has none.
    public var name: String?
    /// Its devices' IMEIs, sorted.
    public var devices: [String]

    public init(id: String, name: String?, devices: [String]) {
        self.id = id.lowercased()
        self.name = name
        self.devices = devices.sorted()
    }
}
