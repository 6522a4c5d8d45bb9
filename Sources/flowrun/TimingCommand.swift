import ArgumentParser

struct TimingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timing",
        abstract: "Race timing for organisers: recompute an event's results, print its standings.",
        discussion: """
            Both read the event's course and entries from the CMS's registry and the \
            `crossings` table in the PostgreSQL of pipelines.yaml (postgres.url, or \
            POSTGRES_URL).

            Examples:
              flowrun timing recompute --event <event-id> pipelines.yaml
              flowrun timing recompute --all --dry-run pipelines.yaml
              flowrun timing standings --event <event-id> pipelines.yaml
            """,
        subcommands: [TimingRecomputeCommand.self, TimingStandingsCommand.self]
    )
}
