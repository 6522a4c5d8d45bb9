import ArgumentParser
import Logging

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database migrations and exit.",
        discussion: """
            Applies the numbered .sql files of the migrations folder that are not \
            applied yet, each in a transaction, under an advisory lock (instances \
            starting together do not race). `flowrun run` does the same at start.

            Example:
              POSTGRES_URL=postgresql://flowrun@127.0.0.1:15432/flowrun \\
                flowrun migrate pipelines.yaml
            """
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try self.options.load()
        LogSetup.bootstrap(configuration.log)
        try await Migrations.apply(
            configuration,
            folder: self.options.migrationsFolder,
            logger: Logger(label: "flowrun")
        )
    }
}
