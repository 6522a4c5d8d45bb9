/// Reads what the benchmark needs from a server message's raw bytes, without a JSON parse: its `type`, and for
/// a `position`, the device (from `"device_id":"…"`) and the timestamp (from `"ts":"…"`), which together name
/// the feeder's position number.
struct DeliveryReader: Sendable {
    enum Outcome {
        case position(Int)
        case subscribed
        case other
    }

    let fleet: Fleet
    let origin: ContinuousClock.Instant

    private static let typePrefix = Array(#"{"type":""#.utf8)
    private static let subscribedPrefix = Array(#"{"type":"subscribed""#.utf8)
    private static let deviceKey = Array(#""device_id":""#.utf8)
    private static let timestampKey = Array(#""ts":""#.utf8)

    func read(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard Self.starts(bytes, with: Self.typePrefix), bytes.count > Self.typePrefix.count else { return .other }
        switch bytes[Self.typePrefix.count] {
        case UInt8(ascii: "s") where Self.starts(bytes, with: Self.subscribedPrefix):
            return .subscribed
        case UInt8(ascii: "p"):
            return self.position(in: bytes).map(Outcome.position) ?? .other
        default:
            return .other
        }
    }

    /// ns from the run's origin to `instant`.
    func nanoseconds(at instant: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = self.origin.duration(to: instant).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private func position(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let deviceStart = Self.end(of: Self.deviceKey, in: bytes, from: 0) else { return nil }
        var index = deviceStart
        var imei = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            let digit = Int(bytes[index]) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit), index - deviceStart < 18 else { return nil }
            imei = imei * 10 + digit
            index += 1
        }
        let device = imei - Fleet.imeiBase
        guard (0..<self.fleet.deviceCount).contains(device),
            let ts = Self.end(of: Self.timestampKey, in: bytes, from: index),
            ts + 24 <= bytes.count
        else { return nil }
        // 2026-05-02T16:00:01.005Z: hours at 11, minutes at 14, seconds at 17, milliseconds at 20.
        func number(_ offset: Int, _ digits: Int) -> Int {
            var value = 0
            for at in ts + offset..<ts + offset + digits { value = value * 10 + Int(bytes[at]) - 48 }
            return value
        }
        let millisecondOfDay = ((number(11, 2) * 60 + number(14, 2)) * 60 + number(17, 2)) * 1000 + number(20, 3)
        let sequence = millisecondOfDay - Fleet.startMillisecondOfDay
        guard sequence >= 0 else { return nil }
        return self.fleet.position(device: device, sequence: sequence)
    }

    private static func starts(_ bytes: UnsafeRawBufferPointer, with prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && prefix.indices.allSatisfy { bytes[$0] == prefix[$0] }
    }

    /// The index just past the first occurrence of `pattern` at or after `start`.
    private static func end(of pattern: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == first {
                var matched = 1
                while matched < pattern.count, bytes[index + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count { return index + matched }
            }
            index += 1
        }
        return nil
    }
}
