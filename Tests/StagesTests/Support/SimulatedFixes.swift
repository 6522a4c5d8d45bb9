import Stages

/// What the tests of the simulators read back from their entries: each decodable position as a ``Fix``, with
/// the entry's kind and the device time of the tick that sent it.
struct SimulatedFix {
    var device: String
    var fix: Fix
    var kind: TrackSimulator.Entry.Kind
    var sentAt: Int64
}

extension SimulatedTicks {
    /// Runs `ticks` ticks: the fixes in arrival order and the true crossings.
    mutating func run(ticks: Int) -> (fixes: [SimulatedFix], truth: [TruthCrossing]) {
        var fixes: [SimulatedFix] = []
        var truth: [TruthCrossing] = []
        for _ in 0..<ticks {
            let time = self.nextTickTime
            for entry in self.nextTick() {
                guard case .success(let position) = PositionDecoder.decode(entry.streamEntry()) else { continue }
                fixes.append(SimulatedFix(device: entry.deviceID, fix: Fix(position), kind: entry.kind, sentAt: time))
            }
            truth += self.takeCrossings()
        }
        return (fixes, truth)
    }
}

/// Each device's fixes in `ts` order, a repeated `(device_id, ts)` dropped (the first one stored wins).
func tracks(_ fixes: [SimulatedFix]) -> [String: [SimulatedFix]] {
    var seen: Set<String> = []
    var tracks: [String: [SimulatedFix]] = [:]
    for fix in fixes where seen.insert("\(fix.device) \(fix.fix.timestamp)").inserted {
        tracks[fix.device, default: []].append(fix)
    }
    return tracks.mapValues { $0.sorted { $0.fix.timestamp < $1.fix.timestamp } }
}
