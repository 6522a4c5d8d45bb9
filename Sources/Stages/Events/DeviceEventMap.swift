/// Which race events each device belongs to, at one moment: IMEI → event ids (lowercase UUIDs).
///
/// An immutable value: ``DeviceEvents`` replaces it whole on each refresh, so whoever holds one sees a
/// consistent map. A device in no event is absent; one device may be in several events.
public struct DeviceEventMap: Sendable, Hashable {
    public static let empty = DeviceEventMap([:])

    private let eventsByDevice: [String: Set<String>]

    /// - Parameter eventsByDevice: IMEI → event ids; ids are lowercased, devices with no event dropped.
    public init(_ eventsByDevice: [String: Set<String>]) {
        var map: [String: Set<String>] = [:]
        map.reserveCapacity(eventsByDevice.count)
        for (device, events) in eventsByDevice where !events.isEmpty {
            map[device] = Set(events.map { $0.lowercased() })
        }
        self.eventsByDevice = map
    }

    /// From `(imei, event id)` pairs, as the registry join returns them (a pair may repeat).
    public init(pairs: some Sequence<(device: String, event: String)>) {
        var map: [String: Set<String>] = [:]
        for (device, event) in pairs { map[device, default: []].insert(event.lowercased()) }
        self.eventsByDevice = map
    }

    /// The events of `device` (its IMEI); empty when it is in none. O(1).
    public func events(of device: String) -> Set<String> {
        self.eventsByDevice[device] ?? []
    }

    /// How many devices are in at least one event.
    public var deviceCount: Int { self.eventsByDevice.count }

    /// The devices in at least one event.
    public var devices: Dictionary<String, Set<String>>.Keys { self.eventsByDevice.keys }
}
