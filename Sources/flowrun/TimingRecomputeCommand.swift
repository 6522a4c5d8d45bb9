import ArgumentParser
import Pipelines
import Stages

struct TimingRecomputeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recompute",
        abstract: "Recompute an event's crossings from the stored positions and the course alone.",
        discussion: """
            For when the organiser moved a gate after the race, or positions arrived \
            too late to be timed live (more than race-timing's late_window behind).

            Reads the event's course (checkpoints) and entries from the CMS's registry, \
            and every stored position of its entries' devices within the event's window \
            (starts_at … ends_at, plus the faults.reference_age before starts_at for the \
            jump rule), in ts order. Judges them in ts order (CONTRACT §6.2, with the \
            file's faults: thresholds; `future` against received_at) and times them \
            (max_gap of pipelines.race-timing) with no limit of memory or lateness.

            Writes what differs from what is stored: the `crossings` table (upserts and \
            removes, in one transaction), then each change to the crossings stream \
            (pipelines.race-timing.crossings_stream, default timing:crossings) for \
            live viewers, then `faulty` and `fault` of the positions whose judgement in \
            ts order differs. Only positions inside the event's window are re-judged: \
            a device in several events is judged over each event's window, and \
            positions outside every window keep their judgement. Prints what changed; \
            an unchanged result writes nothing. Run it again at any time: it is \
            idempotent. An event whose course is invalid is reported with the reason \
            and the exit status is 1.

            Examples:
              flowrun timing recompute --event <event-id> pipelines.yaml
              flowrun timing recompute --all --dry-run pipelines.yaml
            """
    )

    @OptionGroup var event: TimingEventOptions

    @Flag(help: "Recompute every timed event (every event with checkpoints).")
    var all = false

    @Flag(help: "Print what would change; write nothing.")
    var dryRun = false

    @OptionGroup var options: ConfigurationOptions

    func validate() throws {
        guard (self.event.event != nil) != self.all else {
            throw ValidationError("name one --event <event-id>, or --all for every timed event")
        }
    }

    func run() async throws {
        let configuration = try self.options.load()
        let postgres = PostgresConnection(url: configuration.postgres.url.absoluteString, name: "timing-recompute")
        let redis = try RedisConnection(url: configuration.redis.url.absoluteString, name: "timing-recompute")
        do {
            try await self.recompute(configuration, postgres: postgres, redis: redis)
        } catch {
            await postgres.close()
            await redis.close()
            throw error
        }
        await postgres.close()
        await redis.close()
    }

    private func recompute(
        _ configuration: FlowrunConfiguration,
        postgres: PostgresConnection,
        redis: RedisConnection
    ) async throws {
        let settings = configuration.pipelines.raceTiming
        let store = PostgresTimingStore(connection: postgres)
        let recompute = TimingRecompute(
            store: store,
            judgements: store,
            streams: redis,
            crossingsStream: settings.crossingsStream,
            rules: FaultRules(configuration.faults),
            maxGap: settings.maxGap
        )
        let timed = try await PostgresTimedEvents(connection: postgres).timedEvents()
        let ids =
            try self.event.event.map { [try TimingEventOptions.event($0, in: timed).course.event] }
            ?? timed.events.keys.sorted()
        if ids.isEmpty && timed.invalid.isEmpty { print("no event has checkpoints: nothing to recompute") }
        for id in ids {
            guard let event = timed.events[id] else { continue }
            print(TimingOutput.report(try await recompute.recompute(event, dryRun: self.dryRun)), terminator: "")
        }
        guard self.all, !timed.invalid.isEmpty else { return }
        let reasons = timed.invalid.keys.sorted().compactMap { timed.invalid[$0].map { "  \($0)" } }
        throw CommandFailure(
            "\(timed.invalid.count) event(s) not recomputed, their course is invalid (fix it in the CMS):\n"
                + reasons.joined(separator: "\n")
        )
    }
}
