import ArgumentParser

@main
struct FlowRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowrun",
        abstract: "Runs the GPS telemetry pipelines a configuration file enables.",
        discussion: """
            flowrun reads positions from a Redis Stream and runs the pipelines that
            pipelines.yaml enables:
              durable-write    each position stored in PostgreSQL exactly once,
                               acknowledged only once stored
              live-broadcast   each position pushed over WebSocket (/live) to the
                               browsers watching its race event, with its crossings;
                               the live map page on the same port (http://HOST:LIVE_PORT/)
              race-timing      every entry timed at every checkpoint of its event's
                               course (the crossings table and stream)

            Examples:
              flowrun pipelines.yaml             run the enabled pipelines
                                                 (Ctrl-C drains and stops)
              flowrun check pipelines.yaml       validate; print each pipeline's stages
              flowrun migrate pipelines.yaml     apply the migrations and exit
              flowrun simulate --rate 1000       feed the stream with moving trackers
              flowrun cms-stub --port 8055       a stand-in CMS for live-broadcast
              flowrun watch --event <event-id>   an event's live feed, as a browser
              flowrun top                        each stage's items/s, queue, errors
              flowrun tap durable-write decode   the items leaving a stage, as JSON
              flowrun timing standings --event <event-id>
                                                 an event's standings; `timing recompute`
                                                 applies a moved gate to its results

            Per-instance values come from the environment (see pipelines.yaml):
            REDIS_URL, POSTGRES_URL, INSTANCE_ID, HTTP_PORT, LIVE_PORT, CMS_URL; and the
            TypeScript processor's REDIS_CONSUMER_NAME, METRICS_PORT, LIVE_WS_PORT,
            LIVE_DEVICE_EVENT_REFRESH_MS, DEVICE_STATE_LRU_CAP, WRITE_BATCH_SIZE.
            Local servers for trying it: scripts/services.sh start.
            """,
        subcommands: [
            RunCommand.self, CheckCommand.self, MigrateCommand.self, SimulateCommand.self, CMSStubCommand.self,
            WatchCommand.self, TopCommand.self, TapCommand.self, TimingCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}
