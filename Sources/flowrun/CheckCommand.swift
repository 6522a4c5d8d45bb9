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
        if configuration.pipelines.durableWrite.enabled {
            var flow = PipelineConfiguration()
            flow.logger = Logger(label: "flowrun", factory: { _ in SwiftLogNoOpLogHandler() })
            let pipeline: DurableWrite
            do {
                pipeline = try DurableWrite(configuration: configuration, flow: flow)
            } catch {
                throw CommandFailure("\(error)")
            }
            let settings = configuration.pipelines.durableWrite
            print(
                "\npipeline durable-write: stream \(settings.stream), group \(settings.group), consumer"
                    + " \(configuration.instance), dead letters to \(settings.deadLetterStreamName)"
            )
            for (index, stage) in pipeline.pipeline.stageNames.enumerated() {
                print("  \(index + 1). \(stage)")
            }
        }
        if configuration.pipelines.liveBroadcast.enabled {
            var flow = PipelineConfiguration()
            flow.logger = Logger(label: "flowrun", factory: { _ in SwiftLogNoOpLogHandler() })
            let pipeline: LiveBroadcast
            do {
                pipeline = try LiveBroadcast(configuration: configuration, flow: flow)
            } catch {
                throw CommandFailure("\(error)")
            }
            let settings = configuration.pipelines.liveBroadcast
            print(
                "\npipeline live-broadcast: stream \(settings.stream), group"
                    + " \(settings.group(instance: configuration.instance)), WebSocket ws://0.0.0.0:\(settings.port)/live,"
                    + " CMS \(settings.cmsURL)"
            )
            for (index, stage) in pipeline.pipeline.stageNames.enumerated() {
                print("  \(index + 1). \(stage)")
            }
        }
    }
}
