import ArgumentParser
import Pipelines
import Stages

struct TimingStandingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standings",
        abstract: "Print an event's standings from the crossings table.",
        discussion: """
            Reads the event's course and entries from the CMS's registry and its \
            counted crossings from the `crossings` table (as race-timing or \
            `flowrun timing recompute` wrote them); writes nothing.

            Order (CONTRACT §6.3): checkpoints counted (more first), then the elapsed \
            time at the last one counted (its crossing minus the start crossing; less \
            first), then the entry id; entries without a start come last, unplaced. \
            Entries tied on both share a place. Columns: place, entry (its name, or \
            its id), checkpoints counted/total, the last checkpoint counted, the \
            elapsed time (h:mm:ss.mmm), the gap to the leader (a time, or the \
            checkpoints fewer).

            Example:
              flowrun timing standings --event <event-id> pipelines.yaml
            """
    )

    @OptionGroup var event: TimingEventOptions

    @OptionGroup var options: ConfigurationOptions

    func validate() throws {
        guard self.event.event != nil else { throw ValidationError("name the event: --event <event-id>") }
    }

    func run() async throws {
        let configuration = try self.options.load()
        let postgres = PostgresConnection(url: configuration.postgres.url.absoluteString, name: "timing-standings")
        do {
            try await self.standings(postgres)
        } catch {
            await postgres.close()
            throw error
        }
        await postgres.close()
    }

    private func standings(_ postgres: PostgresConnection) async throws {
        let timed = try await PostgresTimedEvents(connection: postgres).timedEvents()
        let event = try TimingEventOptions.event(self.event.event ?? "", in: timed)
        let crossings = try await PostgresTimingStore(connection: postgres).storedCrossings(of: event.course.event)
        let standings = Standings(course: event.course, entries: event.entries, crossings: crossings)
        print(TimingOutput.standings(standings, event: event), terminator: "")
    }
}
