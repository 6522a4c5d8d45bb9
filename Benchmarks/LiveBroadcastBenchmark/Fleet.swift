/// The devices and race events of a run: device `d` (0-based) is in event `d / devicesPerEvent`, and its
/// IMEI is 15 digits, `356307` followed by `d` on 9 digits.
struct Fleet: Sendable {
    let events: Int
    let devicesPerEvent: Int

    static let imeiBase = 356_307_000_000_000

    var deviceCount: Int { self.events * self.devicesPerEvent }

    func imei(of device: Int) -> String { String(Self.imeiBase + device) }

    func event(of device: Int) -> Int { device / self.devicesPerEvent }

    /// Clients watching each event: client i watches event i % events.
    func subscribers(clients: Int) -> [Int] {
        (0..<self.events).map { event in clients / self.events + (event < clients % self.events ? 1 : 0) }
    }
}

extension Fleet {
    /// The first position's instant: 2026-05-02T16:00:00Z, in µs since the epoch.
    static let startMicroseconds: Int64 = 1_777_737_600_000_000
    /// The same instant as milliseconds since midnight UTC (16:00).
    static let startMillisecondOfDay = 16 * 3_600_000

    /// The `n`-th position appended (0-based) is the `n / deviceCount`-th of device `n % deviceCount`, at
    /// ``startMicroseconds`` + that many milliseconds: each device's timestamps increase by 1 ms a position.
    func position(device: Int, sequence: Int) -> Int { sequence * self.deviceCount + device }

    func timestamp(ofPosition position: Int) -> Int64 {
        Self.startMicroseconds + Int64(position / self.deviceCount) * 1000
    }
}
