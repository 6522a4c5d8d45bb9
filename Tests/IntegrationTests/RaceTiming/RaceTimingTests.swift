import Foundation
import Pipelines
import Stages
import Testing

/// race-timing against real Redis and PostgreSQL: a drive across a three-gate course, arriving out of order,
/// timed to the millisecond; the table and the crossings stream agree; a restart neither loses nor doubles.
extension Integration {
    @Suite struct RaceTimingTests {
        static let device = "356307042441013"
        static let latitude = 54.68
        static let longitude = 25.28
        static let metresPerDegree = FaultRules.earthRadius * .pi / 180

        /// `east` metres east of the origin, as a longitude.
        static func longitude(_ east: Double) -> Double {
            longitude + east / (metresPerDegree * cos(latitude * .pi / 180))
        }

        /// A north–south gate at `east` metres, 100 m long.
        static func gate(_ seq: Int, _ kind: Checkpoint.Kind, atEast east: Double) -> Checkpoint {
            Checkpoint(
                id: UUID().uuidString.lowercased(),
                seq: seq,
                name: "gate \(seq)",
                kind: kind,
                lat1: latitude - 50 / metresPerDegree,
                lon1: longitude(east),
                lat2: latitude + 50 / metresPerDegree,
                lon2: longitude(east)
            )
        }

        /// The drive: eastwards at 10 m/s from −15 m, one fix a second for 24 s, from `t0` (µs, whole seconds).
        static func drive(from t0: Int64, device: String = device) -> [(deviceID: String, payload: String)] {
            (0..<24).map { second in
                let ts = Timestamp.format(t0 + Int64(second) * 1_000_000, precision: .microseconds)
                return (
                    device,
                    #"{"device_id":"\#(device)","timestamp":"\#(ts)","latitude":\#(latitude),"#
                        + #""longitude":\#(longitude(-15 + 10 * Double(second))),"satellites":9}"#
                )
            }
        }

        /// An hour ago, in whole seconds (µs): positions the `future` rule accepts.
        static var anHourAgo: Int64 {
            (Int64(Date().timeIntervalSince1970) - 3600) * 1_000_000
        }

        func course(_ world: TestWorld) async throws -> (entry: String, expected: [String: String], t0: Int64) {
            let registry = try await EventRegistryFixture.create(on: world.postgres)
            let event = try await registry.addEvent()
            let entry = try await registry.addEntry(event: event, devices: [Self.device])
            for (seq, kind, east) in [(1, Checkpoint.Kind.start, 0.0), (2, .split, 100), (3, .finish, 200)] {
                try await registry.addCheckpoint(event: event, Self.gate(seq, kind, atEast: east))
            }
            let t0 = Self.anHourAgo
            let expected = Dictionary(
                uniqueKeysWithValues: [(1, 1.5), (2, 11.5), (3, 21.5)].map { seq, seconds in
                    let ts = Timestamp.format(t0 + Int64(seconds * 1_000_000), precision: .milliseconds)
                    return ("\(entry)/\(seq)", "\(Self.device) \(ts)")
                }
            )
            return (entry, expected, t0)
        }

        @Test func aDriveArrivingOutOfOrder_isTimedToTheMillisecond_andTheStreamReplaysToTheTable() async throws {
            try await TestWorld.run { world in
                let (_, expected, t0) = try await self.course(world)
                // Out of order: the even seconds in order, then the odd ones backwards (a tracker flushing).
                let drive = Self.drive(from: t0)
                var entries = stride(from: 0, to: 24, by: 2).map { drive[$0] }
                entries += stride(from: 23, to: 0, by: -2).map { drive[$0] }
                entries.append(entries[3])  // the same record twice
                entries.append((Self.device, "not json"))  // malformed: acknowledged, not timed
                let durable = try RunningDurableWrite(world.timingConfiguration())
                let timing = try RunningRaceTiming(world.timingConfiguration())
                try await world.append(entries)
                try await world.eventually("every entry timed and acknowledged") {
                    let crossings = try await world.crossings()
                    let pending = try await world.timingPendingCount()
                    return crossings == expected && pending == 0
                }
                try await timing.stop()
                try await durable.stop()
                #expect(try await world.crossings() == expected)
                #expect(try await world.replayedCrossings() == expected, "replaying the stream gives the table")
                #expect(timing.service.stats.positions == 25, "every position, the repeat too")
            }
        }

        @Test func aRestartMidRace_rebuildsFromPositionsAndCrossings_neitherLosingNorDoubling() async throws {
            try await TestWorld.run { world in
                let (_, expected, t0) = try await self.course(world)
                let drive = Self.drive(from: t0)
                let durable = try RunningDurableWrite(world.timingConfiguration())
                var timing = try RunningRaceTiming(world.timingConfiguration())
                try await world.append(Array(drive[..<14]))
                try await world.eventually("the first half timed") {
                    let crossings = try await world.crossings()
                    let pending = try await world.timingPendingCount()
                    let rows = try await world.rowCount()
                    return crossings.count == 2 && pending == 0 && rows == 14
                }
                try await timing.stop()
                let changesBefore = try await world.redis.send(["XLEN", .init(world.crossingsStream)]).integer
                try await world.append(Array(drive[14...]))
                try await world.eventually("durable-write stored the rest before race-timing is back") {
                    try await world.rowCount() == 24
                }
                timing = try RunningRaceTiming(world.timingConfiguration())
                try await world.eventually("the rest timed after the restart") {
                    let crossings = try await world.crossings()
                    let pending = try await world.timingPendingCount()
                    return crossings == expected && pending == 0
                }
                try await timing.stop()
                try await durable.stop()
                let changesAfter = try await world.redis.send(["XLEN", .init(world.crossingsStream)]).integer
                #expect(changesBefore == 2)
                #expect(changesAfter == 3, "the finish only: nothing doubled by the rebuild")
                #expect(try await world.replayedCrossings() == expected)
            }
        }
    }
}
