import Foundation
import Pipelines
import Stages
import Testing

/// race-timing against real Redis and PostgreSQL: a drive across a three-gate course, arriving out of order,
/// timed to the millisecond; the table and the crossings stream agree; a restart neither loses nor doubles; a
/// course changed at a refresh is applied; and each time `recompute` finds nothing to change.
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

        /// An event of the registry, its course gates at 0, 100 and 200 m east, its one entry driving ``device``.
        struct Race {
            let registry: EventRegistryFixture
            let event: String
            let entry: String
            /// When the drive starts (µs).
            let t0: Int64
            /// The crossings ``drive(from:device:)`` from ``t0`` gives.
            let expected: [String: String]
        }

        func course(_ world: TestWorld) async throws -> Race {
            let registry = try await EventRegistryFixture.create(on: world.postgres)
            let event = try await registry.addEvent()
            let entry = try await registry.addEntry(event: event, devices: [Self.device])
            for (seq, kind, east) in [(1, Checkpoint.Kind.start, 0.0), (2, .split, 100), (3, .finish, 200)] {
                try await registry.addCheckpoint(event: event, Self.gate(seq, kind, atEast: east))
            }
            let t0 = Self.anHourAgo
            let expected = Self.crossings(of: entry, from: t0, at: [1.5, 11.5, 21.5])
            return Race(registry: registry, event: event, entry: entry, t0: t0, expected: expected)
        }

        /// The rows of ``crossings()`` for `entry` driving ``device`` from `t0`: checkpoint `n` at `seconds[n-1]`.
        static func crossings(of entry: String, from t0: Int64, at seconds: [Double]) -> [String: String] {
            Dictionary(
                uniqueKeysWithValues: seconds.enumerated().map { index, seconds in
                    let ts = Timestamp.format(t0 + Int64(seconds * 1_000_000), precision: .milliseconds)
                    return ("\(entry)/\(index + 1)", "\(Self.device) \(ts)")
                }
            )
        }

        /// Waits until the drive's first 14 s are stored, and timed: the start and the split, nothing pending.
        static func waitUntilTheFirstHalfIsTimed(_ race: Race, in world: TestWorld) async throws {
            let firstHalf = race.expected.filter { !$0.key.hasSuffix("/3") }
            try await world.waitUntilTimed("the start and the split timed", to: firstHalf)
            try await world.eventually("the first half stored") { try await world.rowCount() == 14 }
        }

        /// The `crossings` table is `expected`, the crossings stream replays to it, and `flowrun timing
        /// recompute` of `event` (a dry run) finds nothing to change: the table race-timing left is the one
        /// the positions (`positions` of them in the event) and the course define.
        static func expectTheTable(
            _ expected: [String: String],
            of event: String,
            positions: Int,
            in world: TestWorld,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            #expect(try await world.crossings() == expected, sourceLocation: sourceLocation)
            #expect(
                try await world.replayedCrossings() == expected,
                "replaying the stream gives the table",
                sourceLocation: sourceLocation
            )
            let report = try await world.recomputeDryRun(event: event, configuration: world.timingConfiguration())
            #expect(
                report.changes.isEmpty,
                "recompute would change the table: \(report.changes)",
                sourceLocation: sourceLocation
            )
            #expect(
                report.rejudged.isEmpty,
                "recompute would re-judge: \(report.rejudged)",
                sourceLocation: sourceLocation
            )
            #expect(report.positions == positions, "every position judged", sourceLocation: sourceLocation)
        }

        @Test func aDriveArrivingOutOfOrder_isTimedToTheMillisecond_andTheStreamReplaysToTheTable() async throws {
            try await TestWorld.run { world in
                let race = try await self.course(world)
                let (event, expected, t0) = (race.event, race.expected, race.t0)
                // Out of order: the even seconds in order, then the odd ones backwards (a tracker flushing).
                let drive = Self.drive(from: t0)
                var entries = stride(from: 0, to: 24, by: 2).map { drive[$0] }
                entries += stride(from: 23, to: 0, by: -2).map { drive[$0] }
                entries.append(entries[3])  // the same record twice
                entries.append((Self.device, "not json"))  // malformed: acknowledged, not timed
                let durable = try RunningDurableWrite(world.timingConfiguration())
                let timing = try RunningRaceTiming(world.timingConfiguration())
                try await world.append(entries)
                try await world.waitUntilTimed("every entry timed and acknowledged", to: expected)
                try await timing.stop()
                try await durable.stop()
                #expect(timing.service.stats.positions == 25, "every position, the repeat too")
                try await Self.expectTheTable(expected, of: event, positions: 24, in: world)
            }
        }

        @Test func aRestartMidRace_rebuildsFromPositionsAndCrossings_neitherLosingNorDoubling() async throws {
            try await TestWorld.run { world in
                let race = try await self.course(world)
                let (event, expected, t0) = (race.event, race.expected, race.t0)
                let drive = Self.drive(from: t0)
                let durable = try RunningDurableWrite(world.timingConfiguration())
                var timing = try RunningRaceTiming(world.timingConfiguration())
                try await world.append(Array(drive[..<14]))
                try await Self.waitUntilTheFirstHalfIsTimed(race, in: world)
                try await timing.stop()
                let changesBefore = try await world.redis.send(["XLEN", .init(world.crossingsStream)]).integer
                try await world.append(Array(drive[14...]))
                try await world.eventually("durable-write stored the rest before race-timing is back") {
                    try await world.rowCount() == 24
                }
                timing = try RunningRaceTiming(world.timingConfiguration())
                try await world.waitUntilTimed("the rest timed after the restart", to: expected)
                try await timing.stop()
                try await durable.stop()
                let changesAfter = try await world.redis.send(["XLEN", .init(world.crossingsStream)]).integer
                #expect(changesBefore == 2)
                #expect(changesAfter == 3, "the finish only: nothing doubled by the rebuild")
                try await Self.expectTheTable(expected, of: event, positions: 24, in: world)
            }
        }

        @Test func aCourseChangedAtARefreshMidRace_isApplied_andTheTableIsWhatRecomputeGives() async throws {
            try await TestWorld.run { world in
                let race = try await self.course(world)
                let drive = Self.drive(from: race.t0)
                var configuration = world.timingConfiguration()
                configuration.pipelines.raceTiming.refresh = .seconds(3600)  // refreshed by the test only
                let durable = try RunningDurableWrite(configuration)
                let timing = try RunningRaceTiming(configuration)
                try await world.append(Array(drive[..<14]))
                try await Self.waitUntilTheFirstHalfIsTimed(race, in: world)
                // The organiser moves the split from 100 m to 50 m; race-timing's registry refreshes.
                try await race.registry.moveCheckpoint(
                    event: race.event,
                    seq: 2,
                    to: Self.gate(2, .split, atEast: 50)
                )
                let version = timing.service.registry.current.version
                try await timing.service.registry.load()
                #expect(timing.service.registry.current.version > version)
                try await world.append(Array(drive[14...]))
                let moved = Self.crossings(of: race.entry, from: race.t0, at: [1.5, 6.5, 21.5])
                try await world.waitUntilTimed("the split moved and the finish timed", to: moved)
                try await timing.stop()
                try await durable.stop()
                try await Self.expectTheTable(moved, of: race.event, positions: 24, in: world)
            }
        }
    }
}
