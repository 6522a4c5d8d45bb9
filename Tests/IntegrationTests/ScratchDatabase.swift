import Foundation
import Stages

/// A database of its own on a server, dropped afterwards (also when the body throws).
enum ScratchDatabase {
    /// Creates a database on the server of `url`, runs `body` with a connection to it and its URL, drops it.
    static func run(
        url: String,
        _ body: (PostgresConnection, String) async throws -> Void
    ) async throws {
        let name = "flowrun_scratch_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresConnection(url: url, name: "test-admin")
        try await admin.execute("CREATE DATABASE \(name)")
        var components = URLComponents(string: url)!
        components.path = "/\(name)"
        let databaseURL = components.string!
        let connection = PostgresConnection(url: databaseURL, name: "test-scratch")
        do {
            try await body(connection, databaseURL)
        } catch {
            await connection.close()
            _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            await admin.close()
            throw error
        }
        await connection.close()
        _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.close()
    }
}

/// A second PostgreSQL started by `scripts/services.sh` in `.local/services-unpreloaded/` with
/// `FLOWRUN_TIMESCALEDB=0`: TimescaleDB installed on the machine, but not in its `shared_preload_libraries`.
struct UnpreloadedServer {
    static let directory = ".local/services-unpreloaded"
    let url: String

    static func start() async throws -> Self {
        // A scratch server, with no URL to keep from one run to the next: `start-postgres` would insist on the
        // port it recorded last time, which another checkout's servers may have taken since (seen when two
        // checkouts ran their tests at once). Stopped (if a failed run left it running) and forgotten, it
        // starts on the default port if free, else on another.
        _ = try await Self.services("stop-postgres", outputFile: nil)
        try? FileManager.default.removeItem(
            at: Servers.repository.appendingPathComponent(Self.directory).appendingPathComponent("postgres.port")
        )
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowrun-unpreloaded-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try await Self.services("start-postgres", outputFile: output)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0,
            let line = text.split(separator: "\n").last(where: { $0.hasPrefix("POSTGRES_URL=") })
        else {
            throw HarnessError("starting PostgreSQL without TimescaleDB failed (status \(status)):\n\(text)")
        }
        return Self(url: String(line.dropFirst("POSTGRES_URL=".count)))
    }

    func stop() async throws {
        let status = try await Self.services("stop-postgres", outputFile: nil)
        if status != 0 { throw HarnessError("stopping PostgreSQL without TimescaleDB failed (status \(status))") }
    }

    private static func services(_ command: String, outputFile: String?) async throws -> Int32 {
        let script = Servers.repository.appendingPathComponent("scripts/services.sh").path
        return try await ChildProcess(
            "/usr/bin/env",
            ["FLOWRUN_SERVICES_DIR=\(Self.directory)", "FLOWRUN_TIMESCALEDB=0", "/bin/bash", script, command],
            outputFile: outputFile
        ).exitStatus()
    }
}
