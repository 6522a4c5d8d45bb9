import Foundation

/// Generates realistic telemetry stream entries (CONTRACT §1): devices driving around a circuit, each
/// reporting a position per tick, with optional duplicates, offline bursts (out of order) and malformed
/// entries. Deterministic for a given seed.
public struct TrackSimulator: Sendable {
    public struct Options: Sendable {
        /// Number of devices. Default: 100.
        public var devices = 100
        /// Seed of the random numbers: the same seed gives the same entries.
        public var seed: UInt64 = 1
        /// The first position time, µs since the epoch. Default: 2026-05-02T16:00:00Z.
        public var start: Int64 = 1_777_737_600_000_000
        /// Time between two positions of one device. Default: 1 s.
        public var interval: Duration = .seconds(1)
        /// Share of entries sent a second time (the same position). Default: 0.
        public var duplicates = 0.0
        /// Share of positions after which a device goes offline for a few ticks and then flushes what it
        /// buffered after its newest position, so its timestamps arrive out of order. Default: 0.
        public var outOfOrder = 0.0
        /// Share of entries that are malformed (each of several kinds in turn). Default: 0.
        public var malformed = 0.0

        public init() {}
    }

    /// One entry to append: its `device_id` field and its `payload` field.
    public struct Entry: Sendable, Hashable {
        public var deviceID: String
        public var payload: String
        public var kind: Kind

        public enum Kind: Sendable, Hashable {
            case position
            case duplicate
            case late
            case malformed(String)
            /// A position made faulty on purpose (CONTRACT §6.2), for the reason named.
            case faulty(Fault)
        }
    }

    struct Device: Sendable {
        var id: String
        var latitude: Double
        var longitude: Double
        var heading: Double
        var speed: Double
        var odometer: Int
        var offlineTicks = 0
        var buffered: [String] = []
    }

    public private(set) var options: Options
    private var random: SplitMix
    private var devices: [Device]
    private var tick: Int64 = 0
    private var recent: [Entry] = []
    private var malformedKind = 0

    public init(options: Options) {
        precondition(options.devices >= 1, "the simulator needs at least one device")
        self.options = options
        var random = SplitMix(seed: options.seed)
        self.devices = (0..<options.devices).map { index in
            Device(
                id: Self.deviceID(index),
                latitude: 54.687157 + random.uniform(-0.02, 0.02),
                longitude: 25.279652 + random.uniform(-0.03, 0.03),
                heading: random.uniform(0, 360),
                speed: random.uniform(15, 60),
                odometer: Int(random.uniform(1000, 90000))
            )
        }
        self.random = random
    }

    /// The entries of the next tick: one position per online device, plus duplicates, flushed bursts
    /// and malformed entries as configured.
    public mutating func nextTick() -> [Entry] {
        let timestamp = self.nextTickTime
        self.tick += 1
        var entries: [Entry] = []
        entries.reserveCapacity(self.devices.count + 4)
        for index in self.devices.indices {
            var device = self.devices[index]
            self.move(&device)
            self.devices[index] = device
            let payload = self.payload(of: self.devices[index], at: timestamp)
            let deviceID = self.devices[index].id
            if self.devices[index].offlineTicks > 0 {
                self.devices[index].offlineTicks -= 1
                self.devices[index].buffered.append(payload)
                if self.devices[index].offlineTicks == 0 {
                    // Back online: the newest position first, then the buffered older ones.
                    let buffered = self.devices[index].buffered
                    self.devices[index].buffered = []
                    entries.append(Entry(deviceID: deviceID, payload: buffered.last!, kind: .position))
                    for late in buffered.dropLast() {
                        entries.append(Entry(deviceID: deviceID, payload: late, kind: .late))
                    }
                }
                continue
            }
            let entry = Entry(deviceID: deviceID, payload: payload, kind: .position)
            entries.append(entry)
            self.remember(entry)
            if self.random.chance(self.options.outOfOrder) {
                self.devices[index].offlineTicks = 2 + self.random.below(4)
            }
            if self.random.chance(self.options.duplicates), let old = self.recent.randomElement(using: &self.random) {
                entries.append(Entry(deviceID: old.deviceID, payload: old.payload, kind: .duplicate))
            }
            if self.random.chance(self.options.malformed) {
                entries.append(self.malformedEntry(of: self.devices[index], at: timestamp))
            }
        }
        return entries
    }

    /// The device time of the next tick, µs since the epoch.
    public var nextTickTime: Int64 { self.options.start + self.tick * self.options.interval.microseconds }

    private mutating func remember(_ entry: Entry) {
        if self.recent.count < 256 {
            self.recent.append(entry)
        } else {
            self.recent[self.random.below(256)] = entry
        }
    }

    private mutating func move(_ device: inout Device) {
        let seconds = Double(self.options.interval.microseconds) / 1e6
        device.heading = (device.heading + self.random.uniform(-12, 12)).truncatingRemainder(dividingBy: 360)
        if device.heading < 0 { device.heading += 360 }
        device.speed = min(120, max(0, device.speed + self.random.uniform(-4, 4)))
        let metres = device.speed / 3.6 * seconds
        let radians = device.heading * .pi / 180
        device.latitude = min(89, max(-89, device.latitude + metres * cos(radians) / 111_320))
        device.longitude += metres * sin(radians) / (111_320 * cos(device.latitude * .pi / 180))
        device.odometer += Int(metres)
    }

    private mutating func payload(of device: Device, at timestamp: Int64) -> String {
        SimulatedPayload.position(
            deviceID: device.id,
            timestamp: timestamp,
            latitude: SimulatedPayload.rounded(device.latitude, digits: 6),
            longitude: SimulatedPayload.rounded(device.longitude, digits: 6),
            heading: device.heading,
            speed: device.speed,
            satellites: nil,
            odometer: device.odometer,
            random: &self.random
        )
    }

    private mutating func malformedEntry(of device: Device, at timestamp: Int64) -> Entry {
        let (name, payload) = SimulatedPayload.malformed(deviceID: device.id, at: timestamp, index: self.malformedKind)
        self.malformedKind += 1
        return Entry(deviceID: device.id, payload: payload, kind: .malformed(name))
    }
}

extension TrackSimulator.Entry {
    /// The entry as a stream entry with these fields would be read back (id and deliveries are given).
    public func streamEntry(id: StreamID = .zero, deliveries: Int = 1) -> StreamEntry {
        StreamEntry(
            id: id,
            fields: [
                .init(name: "device_id", value: Array(self.deviceID.utf8)),
                .init(name: "payload", value: Array(self.payload.utf8)),
            ],
            deliveries: deliveries
        )
    }
}
