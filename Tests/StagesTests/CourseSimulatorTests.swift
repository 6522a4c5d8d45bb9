import Stages
import Testing

/// ``CourseSimulator``: the true crossings agree with what race timing would compute from the fixes, the
/// faulty fixes are the ones CONTRACT §6.2's rules judge faulty, and offline bursts arrive out of order.
@Suite(.timeLimit(.minutes(1)))
struct CourseSimulatorTests {
    static func options(devices: Int, seed: UInt64) -> CourseSimulator.Options {
        var options = CourseSimulator.Options()
        options.devices = devices
        options.seed = seed
        return options
    }

    /// Enough 1 s ticks for every racer to finish the three laps (≤ 65 s waiting, at most 60 m before the start
    /// line, 3 × 2.3 km at ≥ 7 m/s).
    static let raceTicks = 1_150

    @Test func withoutNoise_theFixesInterpolatedAtTheGates_giveEveryTrueCrossingWithin50ms() throws {
        var simulator = CourseSimulator(options: Self.options(devices: 6, seed: 7))
        let (fixes, truth) = simulator.run(ticks: Self.raceTicks)
        let checkpoints = DemoCourse.checkpoints.map(\.checkpoint)
        #expect(truth.count == 7 * checkpoints.count, "6 racers and the spare, every checkpoint")
        let spare = truth.filter { $0.device == DemoCourse.spareDevice }.map(\.time)
        #expect(spare == truth.filter { $0.device == TrackSimulator.deviceID(0) }.map(\.time))
        for (device, track) in tracks(fixes) {
            let counted = Self.countedCrossings(track.map(\.fix), checkpoints)
            let expected = truth.filter { $0.device == device }
            #expect(counted.map(\.seq) == expected.map(\.seq), "device \(device)")
            for (found, true_) in zip(counted, expected) {
                #expect(abs(found.time - true_.time) <= 50_000, "device \(device) seq \(found.seq)")
            }
        }
    }

    @Test func faultyFixes_areJudgedFaulty_forTheReasonTheyWereMadeFor_andTheOthersAreNot() throws {
        var options = Self.options(devices: 10, seed: 3)
        options.noise = 4
        options.faulty = 0.05
        options.offline = 0.3
        var simulator = CourseSimulator(options: options)
        let (fixes, _) = simulator.run(ticks: 600)
        let rules = FaultRules()
        var judged: [Fault: Int] = [:]
        for (device, track) in tracks(fixes) {
            var reference: Fix?
            for fix in track {
                let fault = rules.fault(of: fix.fix, receivedAt: fix.sentAt, reference: reference)
                var expected: Fault?
                if case .faulty(let made) = fix.kind { expected = made }
                #expect(fault == expected, "device \(device) at \(fix.fix.timestamp)")
                if let fault { judged[fault, default: 0] += 1 } else { reference = fix.fix }
            }
        }
        #expect(judged[.fewSatellites, default: 0] > 10)
        #expect(judged[.nullIsland, default: 0] > 10)
        #expect(judged[.jump, default: 0] > 10)
        #expect(judged[.future] == nil, "device time is never ahead of when the fix is sent")
    }

    @Test func offlineDevices_flushTheirBurstOutOfOrder_laterThanTheirTimestamps_someTwice() throws {
        var options = Self.options(devices: 10, seed: 11)
        options.offline = 0.5
        var simulator = CourseSimulator(options: options)
        let (fixes, _) = simulator.run(ticks: 600)
        let late = fixes.filter { $0.kind == .late }
        #expect(late.count > 100)
        #expect(late.allSatisfy { $0.fix.timestamp < $0.sentAt }, "a flushed fix is sent after its time")
        #expect(fixes.contains { $0.kind == .duplicate })
        var outOfOrder = 0
        for device in Set(fixes.map(\.device)) {
            let times = fixes.filter { $0.device == device }.map(\.fix.timestamp)
            outOfOrder += zip(times, times.dropFirst()).filter { $0 > $1 }.count
        }
        #expect(outOfOrder > 10, "bursts arrive out of ts order")
        let onTime = fixes.filter { $0.kind == .position }
        #expect(onTime.allSatisfy { $0.fix.timestamp == $0.sentAt })
    }

    @Test func theSameSeed_sendsTheSameEntries() {
        var options = Self.options(devices: 3, seed: 5)
        options.noise = 2
        options.faulty = 0.1
        options.offline = 0.5
        var a = CourseSimulator(options: options)
        var b = CourseSimulator(options: options)
        for _ in 0..<200 { #expect(a.nextTick() == b.nextTick()) }
    }

    /// CONTRACT §6.3's course order over one device's fixes in `ts` order: each gate crossing is a candidate
    /// for every checkpoint of that gate; the counted start is the last start crossing before checkpoint 2's
    /// counted crossing, and every later checkpoint counts its first crossing after the one before.
    static func countedCrossings(_ track: [Fix], _ checkpoints: [Checkpoint]) -> [(seq: Int, time: Double)] {
        let gates = checkpoints.map(Stages.CheckpointGate.init)
        var counted: [(seq: Int, time: Double)] = []
        for (a, b) in zip(track, track.dropFirst()) {
            var candidates: [(seq: Int, time: Double)] = []
            for (checkpoint, gate) in zip(checkpoints, gates) {
                guard let fraction = gate.crossing(from: a, to: b) else { continue }
                candidates.append((checkpoint.seq, Stages.CheckpointGate.time(at: fraction, from: a, to: b)))
            }
            for candidate in candidates.sorted(by: { ($0.time, $0.seq) < ($1.time, $1.seq) }) {
                if candidate.seq == 1 && counted.count <= 1 {
                    counted = [candidate]
                } else if candidate.seq == counted.count + 1 && !counted.isEmpty {
                    counted.append(candidate)
                }
            }
        }
        return counted
    }
}
