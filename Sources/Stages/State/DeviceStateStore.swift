import Synchronization

/// What flowrun knows about each device it has seen, for the domain stages that follow.
public struct DeviceRecord: Sendable, Hashable {
    /// The newest position time seen or stored for the device, in microseconds since the epoch.
    /// It never moves back: an out-of-order replay leaves it where it is.
    public var lastSeen: Int64
    /// Positions of the device seen by this instance since it started.
    public var count: Int
}

/// A bounded least-recently-used map from device id to ``DeviceRecord``.
///
/// - Important: At most `capacity` devices are held; adding one more evicts the device seen longest ago
///   (counted in ``evictions``). All access takes one lock; each call is O(1).
public final class DeviceStateStore: Sendable {
    private let storage: Mutex<LRU<DeviceRecord>>

    /// The capacity unless one is given: 10,000 devices (`device_state.capacity` defaults to it).
    public static let defaultCapacity = 10_000

    public init(capacity: Int = DeviceStateStore.defaultCapacity) {
        precondition(capacity >= 1, "device state capacity must be at least 1 (got \(capacity))")
        self.storage = Mutex(LRU(capacity: capacity))
    }

    public var capacity: Int { self.storage.withLock { $0.capacity } }
    public var count: Int { self.storage.withLock { $0.count } }
    public var evictions: Int { self.storage.withLock { $0.evictions } }

    public func state(of device: String) -> DeviceRecord? {
        self.storage.withLock { lru in lru.slot(of: device).map { lru.nodes[$0].state } }
    }

    /// The devices of `devices` this store does not hold.
    public func unknown(among devices: some Sequence<String>) -> [String] {
        self.storage.withLock { lru in
            var seen: Set<String> = []
            return devices.filter { lru.slot(of: $0) == nil && seen.insert($0).inserted }
        }
    }

    /// Starts a device at its latest stored position time (`nil`: never stored), if not held yet.
    public func seed(_ device: String, lastSeen: Int64?) {
        self.storage.withLock { lru in
            if lru.slot(of: device) == nil { lru.insert(device, DeviceRecord(lastSeen: lastSeen ?? .min, count: 0)) }
        }
    }

    /// Records a position only if it is later than the device's `lastSeen`, and says whether it was: `false`
    /// for an older position or a repeat of the latest (what a live map must not show again).
    public func advance(device: String, timestamp: Int64) -> Bool {
        self.storage.withLock { lru in
            if let slot = lru.slot(of: device) {
                lru.touch(slot)
                guard timestamp > lru.nodes[slot].state.lastSeen else { return false }
                lru.nodes[slot].state.lastSeen = timestamp
                lru.nodes[slot].state.count += 1
                return true
            }
            lru.insert(device, DeviceRecord(lastSeen: timestamp, count: 1))
            return true
        }
    }

    /// Records a position: `lastSeen = max(lastSeen, timestamp)`, `count += 1` (a device not held starts at
    /// the position). Returns whether it is newer than the device's `lastSeen` before it (true for a device
    /// not held).
    @discardableResult
    public func observe(device: String, timestamp: Int64) -> Bool {
        self.storage.withLock { lru in
            if let slot = lru.slot(of: device) {
                let isNewest = timestamp > lru.nodes[slot].state.lastSeen
                lru.nodes[slot].state.lastSeen = max(lru.nodes[slot].state.lastSeen, timestamp)
                lru.nodes[slot].state.count += 1
                lru.touch(slot)
                return isNewest
            }
            lru.insert(device, DeviceRecord(lastSeen: timestamp, count: 1))
            return true
        }
    }
}
