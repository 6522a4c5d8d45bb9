import Logging
import Pipelines
import ServiceLifecycle
import UnixSignals

/// On SIGHUP, re-reads the configuration file and applies it to the running pipelines; a file with errors
/// is refused, with its errors logged, and the running configuration kept.
struct ConfigurationReloader: Service {
    let options: ConfigurationOptions
    let supervisor: PipelineSupervisor
    let logger: Logger
    /// Told each configuration applied (the consumer-lag gauges follow the pipelines).
    let applied: @Sendable (FlowrunConfiguration) -> Void

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                await self.reload()
            }
        }
    }

    private func reload() async {
        let file = self.options.configuration
        self.logger.info("SIGHUP: reading the configuration again", metadata: ["file": "\(file)"])
        let configuration: FlowrunConfiguration
        do {
            configuration = try self.options.load()
        } catch {
            self.logger.error(
                "configuration refused; the running configuration is kept",
                metadata: ["file": "\(file)", "errors": "\(error)"]
            )
            return
        }
        do {
            try await self.supervisor.apply(configuration)
            self.applied(configuration)
            self.logger.info(
                "configuration applied",
                metadata: ["file": "\(file)", "pipelines": "\(configuration.enabledPipelines)"]
            )
        } catch {
            self.logger.error(
                "configuration not fully applied",
                metadata: ["file": "\(file)", "error": "\(error)"]
            )
        }
    }
}
