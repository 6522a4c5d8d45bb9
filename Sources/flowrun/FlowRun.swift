import ArgumentParser
import Pipelines

@main
struct FlowRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowrun",
        abstract: "Runs the telemetry pipelines a configuration file enables.",
        discussion: """
            flowrun reads GPS positions from a Redis Stream and runs the pipelines that \
            pipelines.yaml enables: durable-write (every position stored in PostgreSQL exactly once) \
            and live-broadcast (every position pushed to the browsers watching its race event).

            Example:
              flowrun pipelines.yaml

            Status: the Flow library is in place; the durable-write and live-broadcast pipelines \
            are being built and are not registered yet.
            """
    )

    @Argument(help: "The pipelines configuration file, e.g. pipelines.yaml.")
    var configuration: String

    func run() async throws {
        let registry = PipelineRegistry.standard
        if registry.names.isEmpty {
            throw ValidationError(
                "no pipelines are available in this build yet (durable-write and live-broadcast are "
                    + "in progress); nothing to run for '\(configuration)'"
            )
        }
    }
}
