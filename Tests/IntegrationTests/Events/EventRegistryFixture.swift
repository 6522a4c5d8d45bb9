import CMSStub
import Foundation
import Stages

/// The CMS's event registry (CONTRACT §3) in a test's database: the tables exactly as the contract gives them
/// (flowrun's migrations never create them: the CMS owns them), and helpers to fill them.
///
/// ```swift
/// try await TestWorld.run { world in
///     let registry = try await EventRegistryFixture.create(on: world.postgres)
///     let race = try await registry.addEvent()
///     try await registry.addEntry(event: race, devices: ["356307042441013"])
/// }
/// ```
struct EventRegistryFixture: Sendable {
    let postgres: PostgresConnection

    /// Creates the registry's tables, empty, in the database `postgres` is connected to.
    static func create(on postgres: PostgresConnection) async throws -> EventRegistryFixture {
        try await postgres.execute(CMSStub.registrySchema)
        return EventRegistryFixture(postgres: postgres)
    }

    /// Adds an event; returns its id (a lowercase UUID).
    @discardableResult
    func addEvent(name: String = "race") async throws -> String {
        let id = UUID().uuidString.lowercased()
        try await self.postgres.query("INSERT INTO events(id, name) VALUES ($1, $2)", [id, name])
        return id
    }

    /// Adds a device by IMEI if it is not there yet; returns its id.
    @discardableResult
    func addDevice(imei: String) async throws -> String {
        try await self.postgres.query(
            "INSERT INTO devices(id, imei) VALUES ($1, $2) ON CONFLICT (imei) DO NOTHING",
            [UUID().uuidString.lowercased(), imei]
        )
        return try await self.postgres.query("SELECT id FROM devices WHERE imei = $1", [imei]).rows[0][0]!
    }

    /// Adds an entry of `event` listing the devices (by IMEI, added when new); returns the entry's id.
    @discardableResult
    func addEntry(event: String, devices imeis: [String]) async throws -> String {
        let entry = UUID().uuidString.lowercased()
        try await self.postgres.query("INSERT INTO entries(id, event_id) VALUES ($1, $2)", [entry, event])
        for imei in imeis {
            let device = try await self.addDevice(imei: imei)
            try await self.postgres.query(
                "INSERT INTO entry_devices(entry_id, device_id) VALUES ($1, $2)",
                [entry, device]
            )
        }
        return entry
    }

    /// Adds a checkpoint of `event`'s course (CONTRACT §6.1).
    func addCheckpoint(event: String, _ checkpoint: Checkpoint) async throws {
        try await self.postgres.query(
            """
            INSERT INTO checkpoints (id, event_id, seq, name, kind, lat1, lon1, lat2, lon2)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [
                checkpoint.id, event, "\(checkpoint.seq)", checkpoint.name, checkpoint.kind.rawValue,
                "\(checkpoint.lat1)", "\(checkpoint.lon1)", "\(checkpoint.lat2)", "\(checkpoint.lon2)",
            ]
        )
    }

    /// Moves checkpoint `seq` of `event`'s course to `checkpoint`'s line (its id, name and kind stay).
    func moveCheckpoint(event: String, seq: Int, to checkpoint: Checkpoint) async throws {
        try await self.postgres.query(
            "UPDATE checkpoints SET lat1 = $3, lon1 = $4, lat2 = $5, lon2 = $6 WHERE event_id = $1 AND seq = $2",
            [
                event, "\(seq)", "\(checkpoint.lat1)", "\(checkpoint.lon1)", "\(checkpoint.lat2)",
                "\(checkpoint.lon2)",
            ]
        )
    }

    /// Removes an entry and its device links (the devices stay).
    func removeEntry(_ entry: String) async throws {
        try await self.postgres.query("DELETE FROM entry_devices WHERE entry_id = $1", [entry])
        try await self.postgres.query("DELETE FROM entries WHERE id = $1", [entry])
    }
}
