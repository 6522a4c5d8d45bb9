import Foundation
import Stages

/// A small recorded race on a two-lap loop, made reproducibly from a seed: devices with their own speeds,
/// GPS noise, a few faulty fixes (too few satellites, a jump) and repeated records, for the tests of
/// arrival order.
struct RecordedRace {
    /// The loop's corners (metres): east along y = 0, north, west along y = 100, south.
    static let corners: [(Double, Double)] = [(-20, 0), (220, 0), (220, 100), (-20, 100)]

    static func course(window: TimingWindow = .open) throws -> Course {
        try Course(
            event: Field.event,
            checkpoints: [
                Field.checkpoint(1, .start, from: (0, -50), to: (0, 50)),
                Field.checkpoint(2, .split, from: (100, 50), to: (100, 150)),
                Field.checkpoint(3, .split, from: (0, -50), to: (0, 50)),
                Field.checkpoint(4, .split, from: (100, 50), to: (100, 150)),
                Field.checkpoint(5, .finish, from: (0, -50), to: (0, 50)),
            ],
            window: window
        )
    }

    /// Entry 1 carries devices a and b (a spare tracker), entries 2 and 3 one each.
    static let entries = [
        EventEntry(
            id: "00000000-0000-4000-8000-00000000a001",
            name: "One",
            devices: ["350000000000001", "350000000000002"]
        ),
        EventEntry(id: "00000000-0000-4000-8000-00000000a002", name: "Two", devices: ["350000000000003"]),
        EventEntry(id: "00000000-0000-4000-8000-00000000a003", name: nil, devices: ["350000000000004"]),
    ]

    /// (device, fix) in `ts` order per device, devices interleaved by time.
    let fixes: [(device: String, fix: TrackFix)]

    init(seed: UInt64, seconds: Int = 130) {
        var random = SeededGenerator(seed: seed)
        var fixes: [(device: String, fix: TrackFix)] = []
        let perimeter = 2 * (240.0 + 100.0)
        for (index, device) in ["350000000000001", "350000000000002", "350000000000003", "350000000000004"]
            .enumerated()
        {
            // The spare tracker travels with device 1, a little behind.
            let speed = index == 1 ? 8.0 : Double.random(in: 7...12, using: &random)
            var distance = index == 1 ? -2.0 : Double.random(in: -15 ... -5, using: &random)
            for second in 0..<seconds {
                distance += speed * Double.random(in: 0.8...1.2, using: &random)
                let (x, y) = Self.point(at: distance.truncatingRemainder(dividingBy: perimeter), perimeter: perimeter)
                let noise = { Double.random(in: -1.5...1.5, using: &random) }
                let roll = Double.random(in: 0..<1, using: &random)
                let satellites = roll < 0.02 ? 2 : 9
                let (east, north) = roll > 0.985 ? (x + 4_000, y) : (x + noise(), y + noise())
                let fix = Field.fix(Double(second) + Double(index) * 0.01, east, north, satellites: satellites)
                fixes.append((device, fix))
                if roll > 0.5 && roll < 0.52 { fixes.append((device, fix)) }  // the same record twice
            }
        }
        self.fixes = fixes.sorted { ($0.fix.timestamp, $0.device) < ($1.fix.timestamp, $1.device) }
    }

    private static func point(at distance: Double, perimeter: Double) -> (Double, Double) {
        var remaining = distance < 0 ? distance + perimeter : distance
        for leg in 0..<4 {
            let (a, b) = (Self.corners[leg], Self.corners[(leg + 1) % 4])
            let length = abs(b.0 - a.0) + abs(b.1 - a.1)
            if remaining <= length {
                let f = remaining / length
                return (a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1))
            }
            remaining -= length
        }
        return Self.corners[0]
    }

    /// The fixes in an arrival order shuffled by `seed`.
    func shuffled(seed: UInt64) -> [(device: String, fix: TrackFix)] {
        var random = SeededGenerator(seed: seed)
        return self.fixes.shuffled(using: &random)
    }
}

extension [CrossingChange] {
    /// The table that replaying these changes in order gives.
    var replayed: [CrossingRecord.Key: CrossingRecord] {
        var table: [CrossingRecord.Key: CrossingRecord] = [:]
        for change in self {
            switch change.operation {
            case .upsert: table[change.crossing.key] = change.crossing
            case .remove: table[change.crossing.key] = nil
            }
        }
        return table
    }
}
