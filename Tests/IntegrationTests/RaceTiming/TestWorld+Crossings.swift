import Flow
import Foundation
import Pipelines
import Stages

extension TestWorld {
    /// This world's crossings stream (CONTRACT §6.5).
    var crossingsStream: String { self.stream + ":crossings" }

    /// flowrun's configuration for this world with race-timing on (durable-write too, as ``configuration``).
    func timingConfiguration(instance: String = "test-1") -> FlowrunConfiguration {
        var configuration = self.configuration(instance: instance)
        var timing = FlowrunConfiguration.Pipelines.RaceTiming(enabled: true)
        timing.stream = self.stream
        timing.crossingsStream = self.crossingsStream
        timing.block = .milliseconds(100)
        timing.claimIdle = .milliseconds(300)
        configuration.pipelines.raceTiming = timing
        return configuration
    }

    /// The `crossings` table: (entry, seq) → (device, ts as ISO-8601 with ms).
    func crossings() async throws -> [String: String] {
        let rows = try await self.postgres.query(
            """
            SELECT entry_id, seq, device_id, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            FROM crossings
            """
        ).rows
        return Dictionary(uniqueKeysWithValues: rows.map { ("\($0[0]!)/\($0[1]!)", "\($0[2]!) \($0[3]!)") })
    }

    /// Replays the crossings stream's changes in order: the table it gives, in the form of ``crossings()``.
    func replayedCrossings() async throws -> [String: String] {
        let reply = try await self.redis.send(["XRANGE", RedisArgument(self.crossingsStream), "-", "+"])
        var table: [String: String] = [:]
        for entry in reply.array ?? [] {
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].array
            else { continue }
            var pairs: [StreamEntry.Field] = []
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                pairs.append(
                    StreamEntry.Field(
                        name: fields[index].string ?? "",
                        value: Array((fields[index + 1].string ?? "").utf8)
                    )
                )
            }
            guard let entryID = StreamID(id) else { continue }
            let change = try CrossingChange.decode(StreamEntry(id: entryID, fields: pairs)).get()
            let key = "\(change.crossing.entry)/\(change.crossing.seq)"
            let ts = Timestamp.format(change.crossing.timestamp, precision: .milliseconds)
            table[key] = change.operation == .upsert ? "\(change.crossing.device) \(ts)" : nil
        }
        return table
    }

    /// What `flowrun timing recompute --event <event> --dry-run` would change, as `configuration` times it
    /// (its `faults:` and race-timing's `max_gap`): ``TimingRecompute`` on a dry run, writing nothing.
    func recomputeDryRun(
        event: String,
        configuration: FlowrunConfiguration
    ) async throws -> TimingRecompute.Report {
        let timed = try await PostgresTimedEvents(connection: self.postgres).timedEvents()
        guard let event = timed.events[event] else { throw HarnessError("event \(event) is not timed") }
        let store = PostgresTimingStore(connection: self.postgres)
        let recompute = TimingRecompute(
            store: store,
            judgements: store,
            streams: self.redis,
            crossingsStream: configuration.pipelines.raceTiming.crossingsStream,
            rules: FaultRules(configuration.faults),
            maxGap: configuration.pipelines.raceTiming.maxGap
        )
        return try await recompute.recompute(event, dryRun: true)
    }

    /// Waits until the `crossings` table is `expected` and race-timing's group has nothing pending.
    func waitUntilTimed(_ what: String, to expected: [String: String]) async throws {
        try await self.eventually(what) {
            let crossings = try await self.crossings()
            let pending = try await self.timingPendingCount()
            return crossings == expected && pending == 0
        }
    }

    /// Entries of the stream pending in race-timing's group.
    func timingPendingCount() async throws -> Int {
        let reply = try await self.redis.send(["XPENDING", RedisArgument(self.stream), "race-timing"])
        return Int(reply.array?.first?.integer ?? 0)
    }
}
