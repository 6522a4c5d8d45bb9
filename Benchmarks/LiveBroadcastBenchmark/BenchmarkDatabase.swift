import BenchmarkSupport
import CMSStub
import Foundation
import Logging
import Stages

/// A database of the run's own, `flowrun_livebench_<pid>`: flowrun's migrations, and the CMS's event registry
/// (CONTRACT §3) filled with the fleet.
struct BenchmarkDatabase {
    let name: String
    /// The database's URL, for flowrun.
    let url: String
    let admin: PostgresConnection
    let connection: PostgresConnection

    /// Creates the database (dropping a leftover of the same name) and applies the migrations.
    static func create(serverURL: String, name: String, migrations: String) async throws -> BenchmarkDatabase {
        let admin = PostgresConnection(url: serverURL, name: "livebench-admin")
        try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try await AbandonedDatabases.drop(on: admin)
        try await admin.execute("CREATE DATABASE \(name)")
        guard var components = URLComponents(string: serverURL) else {
            throw BenchmarkFailure("POSTGRES_URL is not a URL: \(serverURL)")
        }
        components.path = "/\(name)"
        let url = components.string ?? serverURL
        let connection = PostgresConnection(url: url, name: "livebench")
        var logger = Logger(label: "live-broadcast-benchmark")
        logger.logLevel = .warning
        _ = try await Migrator(directory: migrations, connection: connection, logger: logger).run()
        return BenchmarkDatabase(name: name, url: url, admin: admin, connection: connection)
    }

    /// Creates the registry's tables and fills them: every event, and one entry per device (a competitor
    /// with one tracker) in its event. Returns the event ids (lowercase UUIDs), by event number.
    func createRegistry(of fleet: Fleet) async throws -> [String] {
        let events = (0..<fleet.events).map { _ in UUID().uuidString.lowercased() }
        let devices = (0..<fleet.deviceCount).map { _ in UUID().uuidString.lowercased() }
        let entries = (0..<fleet.deviceCount).map { _ in UUID().uuidString.lowercased() }
        func insert(_ table: String, _ rows: [String]) -> String {
            "INSERT INTO \(table) VALUES " + rows.joined(separator: ",") + ";\n"
        }
        var script = CMSStub.registrySchema + "\n"
        script += insert("events(id, name)", events.indices.map { "('\(events[$0])', 'race \($0 + 1)')" })
        script += insert("devices(id, imei)", devices.indices.map { "('\(devices[$0])', '\(fleet.imei(of: $0))')" })
        script += insert(
            "entries(id, event_id)",
            entries.indices.map { "('\(entries[$0])', '\(events[fleet.event(of: $0)])')" }
        )
        script += insert(
            "entry_devices(entry_id, device_id)",
            entries.indices.map { "('\(entries[$0])', '\(devices[$0])')" }
        )
        try await self.connection.execute(script)
        return events
    }

    /// Drops the database (closing every connection to it, flowrun's included).
    func drop() async {
        await self.connection.close()
        try? await self.admin.execute("DROP DATABASE IF EXISTS \(self.name) WITH (FORCE)")
        await self.admin.close()
    }
}
