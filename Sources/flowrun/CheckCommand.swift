import ArgumentParser
import Flow
import Logging
import Pipelines

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file and print each enabled pipeline's stages.",
        discussion: """
            Reads the file as `flowrun run` would (with this environment's variables), \
            reports every problem with its line, column and key, and prints the stages \
            of each enabled pipeline. Connects to nothing.

            Example:
              INSTANCE_ID=node-2 flowrun check pipelines.yaml
            """
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try self.options.load()
        print("\(self.options.configuration): ok")
        print(
            "instance \(configuration.instance); redis \(configuration.redis.url); postgres \(configuration.postgres.url)"
        )
        if configuration.enabledPipelines.isEmpty { print("no pipeline is enabled") }
        var flow = PipelineConfiguration()
        flow.logger = Logger(label: "flowrun", factory: { _ in SwiftLogNoOpLogHandler() })
        for name in PipelineRegistry.names where PipelineRegistry.isEnabled(name, in: configuration) {
            let pipeline: any RegisteredPipeline
            do {
                pipeline = try PipelineRegistry.make(name, configuration: configuration, flow: flow)
            } catch {
                throw CommandFailure("\(error)")
            }
            let summary = PipelineRegistry.summary(of: name, in: configuration).map { "\($0.key) \($0.value)" }
            print("\npipeline \(name): \(summary.joined(separator: ", "))")
            for (index, stage) in pipeline.pipeline.stageNames.enumerated() {
                print("  \(index + 1). \(stage)")
            }
        }
    }
}
