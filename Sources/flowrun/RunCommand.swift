import ArgumentParser
import Flow
import Foundation
import Logging
import Pipelines
import ServiceLifecycle
import Stages

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipelines the configuration enables (the default command).",
        discussion: """
            Applies the database migrations, then runs every enabled pipeline until SIGTERM or SIGINT
            (Ctrl-C), which drain it: reading stops, what is in flight is stored and acknowledged, then
            flowrun exits 0. A progress line is logged every --progress seconds.

            Example:
              REDIS_URL=redis://127.0.0.1:16379 INSTANCE_ID=node-2 flowrun pipelines.yaml
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Seconds between progress lines (0: none).")
    var progress = 5

    func run() async throws {
        let configuration = try self.options.load()
        LogSetup.bootstrap(configuration.log)
        let logger = Logger(label: "flowrun")
        logger.info(
            "starting",
            metadata: ["instance": "\(configuration.instance)", "pipelines": "\(configuration.enabledPipelines)"]
        )
        if configuration.enabledPipelines.isEmpty {
            throw CommandFailure(
                "\(self.options.configuration) enables no pipeline; set `enabled: true` under pipelines.durable-write"
                    + " or pipelines.live-broadcast"
            )
        }
        try await Migrations.apply(configuration, folder: self.options.migrationsFolder, logger: logger)

        var flow = PipelineConfiguration()
        flow.logger = logger
        flow.drainTimeout = configuration.shutdown.drainTimeout
        var services: [any Service] = []
        var reporters: [ProgressReporter.Source] = []
        var durable: DurableWrite?
        if configuration.pipelines.durableWrite.enabled {
            let durableWrite: DurableWrite
            do {
                durableWrite = try DurableWrite(configuration: configuration, flow: flow)
            } catch {
                throw CommandFailure("\(error)")
            }
            services.append(durableWrite)
            durable = durableWrite
            reporters.append(.durableWrite(durableWrite.stats))
            logger.info(
                "pipeline starting",
                metadata: [
                    "pipeline": "\(DurableWrite.name)", "stream": "\(configuration.pipelines.durableWrite.stream)",
                    "group": "\(configuration.pipelines.durableWrite.group)", "consumer": "\(configuration.instance)",
                ]
            )
        }
        if configuration.pipelines.liveBroadcast.enabled {
            let liveBroadcast: LiveBroadcast
            do {
                liveBroadcast = try LiveBroadcast(configuration: configuration, flow: flow)
            } catch {
                throw CommandFailure("\(error)")
            }
            services.append(liveBroadcast)
            reporters.append(.liveBroadcast(liveBroadcast))
            let settings = configuration.pipelines.liveBroadcast
            logger.info(
                "pipeline starting",
                metadata: [
                    "pipeline": "\(LiveBroadcast.name)", "stream": "\(settings.stream)",
                    "group": "\(settings.group(instance: configuration.instance))",
                    "consumer": "\(configuration.instance)", "port": "\(settings.port)",
                    "cms": "\(settings.cmsURL)",
                ]
            )
        }
        let pipelineCount = services.count
        if self.progress > 0 {
            services.append(ProgressReporter(sources: reporters, every: .seconds(self.progress), logger: logger))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.enumerated().map { index, service in
                    // Pipelines end the run when they end; the progress line follows them.
                    .init(
                        service: service,
                        successTerminationBehavior: index < pipelineCount ? .gracefullyShutdownGroup : .ignore
                    )
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        let inFlight = durable?.inFlight
        let forcedExit = Task.detached { await ForcedExit.watch(logger: logger, inFlight: { inFlight?.count }) }
        defer { forcedExit.cancel() }
        try await group.run()
        logger.info("stopped")
    }
}

enum Migrations {
    /// Applies the migrations, waiting up to a minute for PostgreSQL to accept connections.
    static func apply(_ configuration: FlowrunConfiguration, folder: String, logger: Logger) async throws {
        let connection = PostgresConnection(url: configuration.postgres.url.absoluteString, name: "migrate")
        defer { Task { await connection.close() } }
        var attempt = 0
        while true {
            do {
                try await connection.connect()
                break
            } catch {
                attempt += 1
                if attempt >= 30 { throw CommandFailure("\(error)") }
                logger.warning("waiting for PostgreSQL", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                try await Task.sleep(for: .seconds(2))
            }
        }
        do {
            let outcome = try await Migrator(directory: folder, connection: connection, logger: logger).run()
            logger.info(
                "migrations applied",
                metadata: ["applied": "\(outcome.applied)", "already_applied": "\(outcome.alreadyApplied.count)"]
            )
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
