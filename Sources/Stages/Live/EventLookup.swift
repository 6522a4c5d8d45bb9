import Flow

/// Which race events a device (by IMEI) belongs to: the CMS's registry held in memory (``DeviceEvents``), or
/// a fake in a unit test.
public protocol DeviceEventLookup: Sendable {
    /// Lowercase event ids; empty when the device is in none. Called for every position: keep it O(1).
    func events(of device: String) -> Set<String>
}

extension DeviceEvents: DeviceEventLookup {}

/// Finds the race events of each position's device and hands on the position as browsers get it, with
/// them. A device in no event reaches nobody: its positions go no further. live-broadcast's `event-lookup`.
public struct EventLookup: ItemStage {
    public var options = ItemOptions<PositionEntry>()
    let registry: any DeviceEventLookup

    public init(registry: any DeviceEventLookup) {
        self.registry = registry
    }

    public func process(_ entry: PositionEntry, into output: inout [EventDelivery], context: StageContext) {
        let events = self.registry.events(of: entry.position.deviceID)
        guard !events.isEmpty else { return }
        output.append(EventDelivery(position: LivePosition(entry.position), events: events))
    }
}
