import ArgumentParser
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
        for kind in PipelineRegistry.enabled(in: configuration) {
            // Building a pipeline opens no connection and starts no thread: that waits for `flowrun run`.
            let stages: [String]
            do {
                stages = try kind.stageNames(in: configuration)
            } catch {
                throw CommandFailure("\(error)")
            }
            let summary = kind.summary(of: configuration).map { "\($0.key) \($0.value)" }
            print("\npipeline \(kind.name): \(summary.joined(separator: ", "))")
            for (index, stage) in stages.enumerated() {
                print("  \(index + 1). \(stage)")
            }
        }
    }
}
