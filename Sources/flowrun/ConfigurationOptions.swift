import ArgumentParser
import Foundation
import Logging
import Pipelines

/// The configuration file argument every subcommand shares.
struct ConfigurationOptions: ParsableArguments {
    @Argument(help: "The pipelines configuration file.")
    var configuration = "pipelines.yaml"

    @Option(help: "The folder of numbered .sql migrations. (default: Migrations/ beside the configuration file)")
    var migrations: String?

    @Option(
        help: "How log records are written: text (readable lines) or json (one object per line). (default: log.format)"
    )
    var logFormat: FlowrunConfiguration.Log.Format?

    func load() throws -> FlowrunConfiguration {
        do {
            var configuration = try ConfigurationLoader.load(
                path: self.configuration,
                environment: ProcessInfo.processInfo.environment
            )
            if let format = self.logFormat { configuration.log.format = format }
            return configuration
        } catch {
            throw CommandFailure("\(error)\n(fix the file, then run: flowrun check \(self.configuration))")
        }
    }

    var migrationsFolder: String {
        if let migrations { return migrations }
        let folder = (self.configuration as NSString).deletingLastPathComponent
        return ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent("Migrations")
    }
}

/// An error the command line prints as it is, and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension FlowrunConfiguration.Log.Format: ExpressibleByArgument {}

enum LogSetup {
    /// Records on standard error at the configured level: readable lines, or JSON lines.
    static func bootstrap(_ log: FlowrunConfiguration.Log) {
        let level = Logger.Level(rawValue: log.level.rawValue) ?? .info
        switch log.format {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
