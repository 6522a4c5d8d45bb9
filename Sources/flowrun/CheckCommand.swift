import ArgumentParser
import Foundation
import Pipelines
import Stages

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file and print each enabled pipeline's stages.",
        discussion: """
            Reads the file as `flowrun run` would (with this environment's variables), \
            reports every problem with its line, column and key, and prints the stages \
            of each enabled pipeline. Connects to nothing, unless --storage asks it to \
            show how PostgreSQL stores positions.

            Examples:
              INSTANCE_ID=node-2 flowrun check pipelines.yaml
              flowrun check --storage pipelines.yaml
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(
        help: """
            Also connect to PostgreSQL and show how positions is stored: hypertable or plain table, the \
            compression and retention policies in force, and its chunks and bytes per state.
            """
    )
    var storage = false

    func run() async throws {
        let configuration = try self.options.load()
        print("\(self.options.configuration): ok")
        print(
            "instance \(configuration.instance); redis \(configuration.redis.url); postgres \(configuration.postgres.url)"
        )
        let postgres = configuration.postgres
        print(
            "positions: chunk_interval \(PostgresInterval.text(postgres.chunkInterval)); "
                + "\(postgres.lifecycle) (postgres.compress_after, postgres.retention)"
        )
        if self.storage { try await Self.printStorage(configuration) }
        if configuration.enabledPipelines.isEmpty { print("no pipeline is enabled") }
        for kind in PipelineRegistry.enabled(in: configuration) {
            // Building a pipeline opens no connection and starts no thread: that waits for `flowrun run`.
            let pipelines: [(pipeline: String, stages: [String])]
            do {
                pipelines = try kind.stageNames(in: configuration)
            } catch {
                throw CommandFailure("\(error)")
            }
            let summary = kind.summary(of: configuration).map { "\($0.key) \($0.value)" }
            print("\npipeline \(kind.name): \(summary.joined(separator: ", "))")
            for (pipeline, stages) in pipelines {
                // A second Flow pipeline the kind runs beside its own (live-broadcast's crossings).
                if pipeline != kind.name { print("  and beside it, \(pipeline):") }
                for (index, stage) in stages.enumerated() {
                    print("  \(index + 1). \(stage)")
                }
            }
        }
    }

    /// What the database has: storage, policies in force, chunks per state.
    static func printStorage(_ configuration: FlowrunConfiguration) async throws {
        let connection = PostgresConnection(url: configuration.postgres.url.absoluteString, name: "check")
        defer { Task { await connection.close() } }
        do {
            let storage = try await PositionsStorage.inspect(connection)
            switch storage {
            case .hypertable(let chunkInterval):
                print("stored: a TimescaleDB hypertable, chunks of \(chunkInterval)")
                print("in force: \(try await PositionsLifecycle.policies(connection))")
            case .plain(let reason):
                print("stored: a plain table (\(reason)); no compression or retention")
            }
            let chunks = try await PositionsChunks.read(connection)
            print(
                "chunks: \(chunks.uncompressedChunks) uncompressed (\(Self.bytes(chunks.uncompressedBytes))), "
                    + "\(chunks.compressedChunks) compressed (\(Self.bytes(chunks.compressedBytes)))"
            )
        } catch {
            throw CommandFailure("cannot read how positions is stored (--storage): \(error)")
        }
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) bytes" : "\(String(format: "%.1f", value)) \(units[unit])"
    }
}
