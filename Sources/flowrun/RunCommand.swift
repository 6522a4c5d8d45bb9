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
            Applies the database migrations, then runs every enabled pipeline until \
            SIGTERM or SIGINT (Ctrl-C), which drain it: reading stops, what is in \
            flight is stored and acknowledged, then flowrun exits 0. A second signal \
            stops at once (exit 130), and a drain longer than shutdown.drain_timeout \
            is cut short (exit 1); either way flowrun says how many entries it read \
            and did not store: they stay pending in the stream and are delivered again \
            at the next start. Nothing unstored is ever acknowledged.

            SIGHUP re-reads the configuration file: pipelines enabled there start, \
            pipelines disabled there drain and stop, a pipeline whose settings changed \
            restarts with them; the others go on. A file with errors is refused (they \
            are logged) and the running configuration is kept. Logging settings apply \
            at the next start.

            A pipeline that fails (the CMS's tables missing, PostgreSQL away at start, \
            its port taken) is logged and started again after a backoff (1 s, doubling \
            up to 60 s) while the others keep running; /readyz, `flowrun top` and \
            flowrun_pipeline_restarts_total show it. Only a configuration that cannot \
            be used stops flowrun.

            The operations port (http.port) serves /metrics, /healthz, /readyz and \
            /tap; `flowrun top` shows the stages live, `flowrun tap` the items leaving \
            one. A progress line per pipeline is logged every --progress seconds. \
            live-broadcast's port (LIVE_PORT) serves the WebSocket /live and the \
            live map page: http://HOST:LIVE_PORT/ (or /events/<event-id>), with the \
            CMS session cookie of the browser.

            Examples:
              INSTANCE_ID=node-2 flowrun pipelines.yaml
              kill -HUP $(pidof flowrun)         apply an edited pipelines.yaml
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Seconds between progress lines (0: none).")
    var progress = 5

    func run() async throws {
        MemoryTuning.keepFreedMemory()
        let configuration = try self.options.load()
        LogSetup.bootstrap(configuration.log)
        // Before anything makes a metric (PipelineConfiguration reads the factory when it is made).
        let registry = PrometheusMetrics.bootstrap()
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
        let readiness: Readiness
        do {
            readiness = try Readiness(configuration, logger: logger)
        } catch {
            throw CommandFailure("\(error)")
        }
        let consumerLag: ConsumerLag
        do {
            consumerLag = try ConsumerLag(configuration, logger: logger)
        } catch {
            throw CommandFailure("\(error)")
        }
        let supervisor = PipelineSupervisor(configuration: configuration, flow: flow, readiness: readiness)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            // First in, last out: /metrics and /readyz answer while the pipelines drain.
            .init(service: readiness, successTerminationBehavior: .ignore),
            .init(service: consumerLag, successTerminationBehavior: .ignore),
            .init(
                service: PositionsSize(postgresURL: configuration.postgres.url.absoluteString, logger: logger),
                successTerminationBehavior: .ignore
            ),
            .init(
                service: OperationsServer(
                    configuration,
                    registry: registry,
                    readiness: readiness,
                    taps: { supervisor.taps },
                    logger: logger
                ),
                successTerminationBehavior: .ignore
            ),
            // The pipelines end the run when they end (drained, or failed); a failure, or a drain past its
            // deadline, still lets the operations port and the others stop gracefully, then exits non-zero.
            .init(
                service: supervisor,
                successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup
            ),
            .init(
                service: ConfigurationReloader(options: self.options, supervisor: supervisor, logger: logger) {
                    consumerLag.track(ConsumerLag.groups(of: $0))
                }
            ),
        ]
        if self.progress > 0 {
            services.append(
                .init(service: ProgressReporter(supervisor: supervisor, every: .seconds(self.progress), logger: logger))
            )
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        let forcedExit = Task.detached {
            await ForcedExit.watch(logger: logger) { supervisor.abandonedIfStoppedNow }
        }
        defer { forcedExit.cancel() }
        do {
            try await group.run()
        } catch {
            throw CommandFailure("\(error)")
        }
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
            let outcome = try await Migrator(
                directory: folder,
                connection: connection,
                logger: logger,
                settings: configuration.postgres.migrationSettings
            ).run()
            logger.info(
                "migrations applied",
                metadata: ["applied": "\(outcome.applied)", "already_applied": "\(outcome.alreadyApplied.count)"]
            )
        } catch {
            throw CommandFailure("\(error)")
        }
        let interval = PostgresInterval.text(configuration.postgres.chunkInterval)
        switch try await PositionsStorage.apply(chunkInterval: interval, connection) {
        case .hypertable(let chunkInterval):
            logger.info("positions is a TimescaleDB hypertable", metadata: ["chunk_interval": "\(chunkInterval)"])
            try await Self.applyLifecycle(configuration.postgres.lifecycle, connection, logger: logger)
        case .plain(let reason):
            logger.notice("positions is a plain table", metadata: ["reason": "\(reason)"])
            for (key, value) in [
                ("compress_after", configuration.postgres.compressAfter),
                ("retention", configuration.postgres.retention),
            ] where value != nil {
                logger.warning(
                    """
                    postgres.\(key) is set, but positions is a plain table, which has no chunks to compress or drop: \
                    the setting does nothing here (TimescaleDB makes it a hypertable: see the reason above)
                    """
                )
            }
        }
    }

    /// Makes the compression and retention policies in force those `policies` asks for, and logs each change
    /// and what is in force.
    static func applyLifecycle(
        _ policies: PositionsLifecycle.Policies,
        _ connection: PostgresConnection,
        logger: Logger
    ) async throws {
        do {
            for change in try await PositionsLifecycle.apply(policies, connection) {
                logger.info("\(change)")
            }
            let inForce = try await PositionsLifecycle.policies(connection)
            logger.info("positions lifecycle", metadata: ["policies": "\(inForce)"])
        } catch {
            throw CommandFailure(
                "cannot set positions' compression and retention (postgres.compress_after, "
                    + "postgres.retention): \(error)"
            )
        }
    }
}
