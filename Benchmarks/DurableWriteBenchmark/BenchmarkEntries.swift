import BenchmarkSupport
import Stages

/// The entries a run pre-loads into its stream, and the same rows, decoded and deduplicated by identity, as
/// COPY text: 2% duplicates, 1% of positions followed by an offline burst (out of order), 500 devices, from
/// the simulator's start time (``TrackSimulator/Options/start``) on.
struct BenchmarkEntries {
    let entries: [TrackSimulator.Entry]
    /// The distinct positions, as COPY text (`copyColumns`).
    let copyData: [UInt8]
    /// How many distinct positions.
    let rows: Int
    /// The devices' ids.
    let devices: [String]
    /// The earliest position time, µs since the epoch: every row is at or after it.
    let start: Int64

    /// The columns of `copyData`, in order.
    static let copyColumns =
        "device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority, attributes"

    init(count: Int) {
        var options = TrackSimulator.Options()
        options.devices = 500
        options.duplicates = 0.02
        options.outOfOrder = 0.01
        var simulator = TrackSimulator(options: options)
        var entries: [TrackSimulator.Entry] = []
        while entries.count < count { entries += simulator.nextTick() }
        entries = Array(entries.prefix(count))

        var seen: Set<String> = []
        var devices: Set<String> = []
        var copyText = ""
        for entry in entries {
            guard case .success(let p) = PositionDecoder.decode(entry.streamEntry()),
                seen.insert("\(p.deviceID)|\(p.timestamp)").inserted
            else { continue }
            devices.insert(p.deviceID)
            let fields: [String?] = [
                p.deviceID, Timestamp.format(p.timestamp, precision: .microseconds), p.latitude.description,
                p.longitude.description,
                p.altitude?.description, p.angle?.description, p.speed?.description, p.satellites.map(String.init),
                p.priority.map(String.init), p.attributesJSON,
            ]
            copyText += fields.map(copyField).joined(separator: "\t") + "\n"
        }
        self.entries = entries
        self.copyData = Array(copyText.utf8)
        self.rows = seen.count
        self.devices = devices.sorted()
        self.start = options.start
    }

    /// Appends the entries to `stream`, emptied first.
    func load(_ redis: RedisConnection, stream: String) async throws {
        try await redis.send(["DEL", RedisArgument(stream)])
        let appender = StreamAppender(redis: redis, stream: stream)
        var start = 0
        while start < self.entries.count {
            try await appender.append(Array(self.entries[start..<min(start + 1000, self.entries.count)]))
            start += 1000
        }
    }
}

/// One COPY text-format field.
func copyField(_ text: String?) -> String {
    guard let text else { return "\\N" }
    var escaped = ""
    for character in text {
        switch character {
        case "\\": escaped += "\\\\"
        case "\t": escaped += "\\t"
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        default: escaped.append(character)
        }
    }
    return escaped
}
