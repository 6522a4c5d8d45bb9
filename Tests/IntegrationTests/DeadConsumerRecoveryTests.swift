import Foundation
import Pipelines
import Stages
import Testing

/// Issue 17: a dead instance's backlog is claimed as fast as the pipeline takes it, not one page per interval.
extension Integration {
    @Suite struct DeadConsumerRecoveryTests {
        static let entries = 100_000
        static let storedByA = 32_000
        static let pendingWithA = 18_000
        static let claimIdle = Duration.seconds(2)

        /// 100,000 entries; instance `a` stores the first 32,000, then reads 18,000 more and works on them (it
        /// keeps them from going idle) while instance `b` stores the rest; then `a` dies for good, never
        /// acknowledging them. `b` claims none of them while `a` lives, and once `a` is dead every position is
        /// stored and nothing is pending well before one page per interval could have claimed them (the goal,
        /// within `claim_idle` + 5 s, is measured and printed).
        @Test func aDeadInstancesPendingEntries_areClaimedPageAfterPage_notOnePagePerInterval() async throws {
            try await TestWorld.run { world in
                var options = TrackSimulator.Options()
                options.devices = 1_000
                options.seed = 17
                var simulator = TrackSimulator(options: options)
                var entries: [TrackSimulator.Entry] = []
                while entries.count < Self.entries { entries += simulator.nextTick() }
                entries = Array(entries.prefix(Self.entries))
                let unique = distinctPositions(entries)
                let withA = Self.storedByA..<(Self.storedByA + Self.pendingWithA)
                let storedBeforeADies = distinctPositions(
                    Array(entries[..<withA.lowerBound] + entries[withA.upperBound...])
                )

                // `a` stores the first 32,000 and stops.
                try await Self.append(entries[..<Self.storedByA], to: world)
                let a = try RunningDurableWrite(Self.configuration(world, instance: "a"))
                try await world.waitUntilStoredAndAcknowledged(rows: Self.storedByA)
                try await a.stop()

                // The rest arrives; `a` reads 18,000 of it and works on them: it keeps them from going idle.
                try await Self.append(entries[Self.storedByA...], to: world)
                let deadA = try await DeadConsumer(world, name: "a", reading: Self.pendingWithA)
                try #require(try await Self.pendingWith(world)["a"] == Self.pendingWithA)

                // `b` stores the other 50,000 meanwhile, and claims none of `a`'s.
                let metrics = RecordingMetrics()
                let b = try RunningDurableWrite(Self.configuration(world, instance: "b"), metrics: metrics)
                try await world.eventually("b stores the entries a did not read", within: .seconds(60)) {
                    let rows = try await world.rowCount()
                    let pending = try await Self.pendingWith(world)
                    return rows == storedBeforeADies && pending == ["a": Self.pendingWithA]
                }
                let claimedWhileALived = metrics.count("flowrun_stream_claimed_total", [("pipeline", "durable-write")])

                // `a` dies.
                let died = await deadA.die()
                var aEmptied: Duration?
                // A generous deadline for a loaded machine: the goal is asserted on the measured time below.
                try await world.eventually("every position stored and nothing pending", within: .seconds(60)) {
                    if aEmptied == nil, try await Self.pendingWith(world)["a"] == nil {
                        aEmptied = died.duration(to: .now)
                    }
                    let rows = try await world.rowCount()
                    let pending = try await world.pendingCount()
                    return rows == unique && pending == 0
                }
                let recovered = died.duration(to: .now)
                try await b.stop()

                let claimed = metrics.count("flowrun_stream_claimed_total", [("pipeline", "durable-write")])
                print(
                    "dead consumer recovery: \(Self.pendingWithA) entries pending with a, claim_idle \(Self.claimIdle):"
                        + " a's pending list empty \(aEmptied.map(Self.milliseconds) ?? "-") after a died,"
                        + " all \(unique) positions stored and nothing pending \(Self.milliseconds(recovered)) after"
                        + " (\(Self.milliseconds(recovered - Self.claimIdle)) past the idle time running out);"
                        + " \(claimed) claimed by b"
                )
                #expect(claimedWhileALived == 0, "b claimed entries a still worked on")
                // The goal (claim_idle + 5 s) is measured and printed above, not asserted: how fast a debug build
                // stores 18,000 rows depends on the load of the machine (7.2 s once on the 2 busy cores). The bound
                // asserted tells the two behaviours apart on any machine: one page per claim_idle / 2 cannot
                // claim 18 pages in less than claim_idle + 17 × claim_idle / 2 (19 s here), whatever the speed.
                #expect(
                    recovered < Self.claimIdle + .seconds(14),
                    "recovered \(Self.milliseconds(recovered)) after a died: claimed one page per interval?"
                )
                #expect(claimed == Self.pendingWithA, "b claimed exactly a's pending entries")
                #expect(try await world.storedKeys().count == unique)
            }
        }

        static func configuration(_ world: TestWorld, instance: String) -> FlowrunConfiguration {
            var configuration = world.configuration(instance: instance)
            configuration.pipelines.durableWrite.claimIdle = Self.claimIdle
            // flowrun's defaults for the batch (the test world's are small for the other tests).
            configuration.pipelines.durableWrite.batch = .init()
            return configuration
        }

        static func append(_ entries: ArraySlice<TrackSimulator.Entry>, to world: TestWorld) async throws {
            var start = entries.startIndex
            while start < entries.endIndex {
                let end = min(start + 1_000, entries.endIndex)
                try await world.append(entries[start..<end].map { ($0.deviceID, $0.payload) })
                start = end
            }
        }

        /// The group's pending entries per consumer (`XPENDING` summary).
        static func pendingWith(_ world: TestWorld) async throws -> [String: Int] {
            try await world.redis.pendingCounts(of: world.stream, group: world.group)
        }

        static func milliseconds(_ duration: Duration) -> String {
            let milliseconds = duration / .milliseconds(1)
            return "\(Int(milliseconds.rounded())) ms"
        }
    }
}

/// Consumer `a` of a test world's group, simulated without a process: it reads entries (`XREADGROUP`) and, while
/// it lives, touches them every 250 ms (`XCLAIM … 0 … JUSTID`: idle time back to 0, as reading them again would)
/// as a live instance working on them would keep them from going idle; it never acknowledges them.
final class DeadConsumer: Sendable {
    private let redis: RedisConnection
    private let touching: Task<ContinuousClock.Instant, Never>

    /// Reads `count` new entries as `name`, and starts touching them.
    init(_ world: TestWorld, name: String, reading count: Int) async throws {
        let redis = try RedisConnection(url: world.servers.redisURL, name: "test-\(name)")
        self.redis = redis
        let read = try await redis.send([
            "XREADGROUP", "GROUP", RedisArgument(world.group), RedisArgument(name), "COUNT",
            RedisArgument(String(count)),
            "STREAMS", RedisArgument(world.stream), ">",
        ])
        let ids = (read.array?.first?.array?[1].array ?? []).compactMap { $0.array?.first?.string }
        guard ids.count == count else { throw HarnessError("\(name) read \(ids.count) entries, not \(count)") }
        let touch =
            ["XCLAIM", RedisArgument(world.stream), RedisArgument(world.group), RedisArgument(name), "0"]
            + ids.map { RedisArgument($0) } + ["JUSTID"]
        let started = ContinuousClock.now
        self.touching = Task {
            var last = started
            while !Task.isCancelled {
                let now = ContinuousClock.now
                do { _ = try await redis.send(touch) } catch { break }
                last = now
                try? await Task.sleep(for: .milliseconds(250))
            }
            return last
        }
    }

    /// Stops touching its entries, for good; returns when it last touched them: from then on they go idle.
    func die() async -> ContinuousClock.Instant {
        self.touching.cancel()
        let last = await self.touching.value
        await self.redis.close()
        return last
    }
}
