import Foundation

extension CourseSimulator {
    /// The kinds of faulty fix, in turn.
    static let faults: [Fault] = [.fewSatellites, .nullIsland, .jump]

    /// Appends to `entries` what device `index` sends at `time`: its fix (noisy, maybe faulty), or nothing
    /// while it is offline, or, when it comes back, its fix and then what it buffered, shuffled and some of it
    /// twice; plus duplicates and malformed entries as configured.
    mutating func report(device index: Int, at time: Int64, into entries: inout [Entry]) {
        var device = self.devices[index]
        defer { self.devices[index] = device }
        let entry = self.fix(of: &device, at: time)
        if let ends = device.burstEnds {
            guard time >= ends else {
                device.buffered.append(entry)
                return
            }
            device.burstEnds = nil
            device.nextBurst = time + Int64(self.random.uniform(120, 420) * 1_000_000)
            entries.append(entry)
            for late in device.buffered.shuffled(using: &self.random) {
                var flushed = late
                if case .position = late.kind { flushed.kind = .late }
                entries.append(flushed)
                if self.random.chance(0.1) {
                    entries.append(Entry(deviceID: late.deviceID, payload: late.payload, kind: .duplicate))
                }
            }
            device.buffered = []
            return
        }
        if let next = device.nextBurst, time >= next {
            device.burstEnds = time + Int64(self.random.uniform(30, 120) * 1_000_000)
            device.buffered.append(entry)
            return
        }
        entries.append(entry)
        if self.recent.count < 256 {
            self.recent.append(entry)
        } else {
            self.recent[self.random.below(256)] = entry
        }
        if self.random.chance(self.options.duplicates), let old = self.recent.randomElement(using: &self.random) {
            entries.append(Entry(deviceID: old.deviceID, payload: old.payload, kind: .duplicate))
        }
        if self.random.chance(self.options.malformed) {
            let (name, payload) = SimulatedPayload.malformed(deviceID: device.id, at: time, index: self.malformedKind)
            self.malformedKind += 1
            entries.append(Entry(deviceID: device.id, payload: payload, kind: .malformed(name)))
        }
    }

    /// The device's fix at `time`: its racer's exact position plus noise, or a faulty one.
    private mutating func fix(of device: inout CourseDevice, at time: Int64) -> Entry {
        let racer = self.racers[device.racer]
        let point = DemoCourse.path.point(at: racer.distance)
        let metresPerDegree = DemoCourse.metresPerDegree
        var latitude = point.latitude + self.random.gaussian(self.options.noise) / metresPerDegree
        var longitude =
            point.longitude
            + self.random.gaussian(self.options.noise) / (metresPerDegree * cos(point.latitude * .pi / 180))
        var fault: Fault?
        // Only after the device's first fix, so that a jump has a reference within 30 s to be judged by.
        if let lastGood = device.lastGood, self.random.chance(self.options.faulty) {
            fault = Self.faults[self.faultKind % Self.faults.count]
            self.faultKind += 1
            if fault == .jump && time - lastGood > 30_000_000 { fault = .fewSatellites }
        }
        var satellites: Int?
        switch fault {
        case .fewSatellites: satellites = self.random.below(4)
        case .nullIsland: (latitude, longitude) = (0, 0)
        case .jump:
            // 20–40 km away, in some direction.
            latitude += (self.random.chance(0.5) ? 1 : -1) * self.random.uniform(0.2, 0.35)
            longitude += (self.random.chance(0.5) ? 1 : -1) * self.random.uniform(0.3, 0.6)
        case .future, nil: break
        }
        if fault == nil { device.lastGood = time }
        let payload = SimulatedPayload.position(
            deviceID: device.id,
            timestamp: time,
            latitude: SimulatedPayload.rounded(latitude, digits: 7),
            longitude: SimulatedPayload.rounded(longitude, digits: 7),
            heading: point.heading,
            speed: racer.speed * 3.6,
            satellites: satellites,
            odometer: device.odometer + Int(racer.distance),
            random: &self.random
        )
        return Entry(deviceID: device.id, payload: payload, kind: fault.map { Entry.Kind.faulty($0) } ?? .position)
    }
}
