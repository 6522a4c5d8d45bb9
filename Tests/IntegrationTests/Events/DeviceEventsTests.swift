import Foundation
import Logging
import Stages
import Testing

extension Integration {
    /// The device → events map against the real PostgreSQL, with the registry as CONTRACT §3 gives it.
    @Suite struct DeviceEventsTests {
        static let quiet = Logger(label: "device-events-test", factory: { _ in SwiftLogNoOpLogHandler() })

        @Test func deviceInTwoEventsMapsToBothAndDeviceInNoneIsAbsent() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent(name: "race")
                let rally = try await registry.addEvent(name: "rally")
                try await registry.addEntry(event: race, devices: ["imei-1", "imei-2"])
                try await registry.addEntry(event: rally, devices: ["imei-1"])
                try await registry.addDevice(imei: "imei-3")  // in no entry
                let metrics = RecordingMetrics()
                let events = DeviceEvents(connection: world.postgres, logger: Self.quiet, metricsFactory: metrics)
                #expect(events.events(of: "imei-1").isEmpty)  // nothing loaded yet

                let map = try await events.load()

                #expect(map.events(of: "imei-1") == [race, rally])
                #expect(events.events(of: "imei-1") == [race, rally])
                #expect(events.events(of: "imei-2") == [race])
                #expect(events.events(of: "imei-3").isEmpty)
                #expect(events.events(of: "unknown").isEmpty)
                #expect(Set(events.map.devices) == ["imei-1", "imei-2"])
                #expect(metrics.values("flowrun_device_event_map_devices") == [2])
                #expect(metrics.values("flowrun_device_event_map_refresh_seconds").count == 1)
            }
        }

        @Test func eventIDsAreLowercase() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = UUID().uuidString  // uppercase
                try await world.postgres.query("INSERT INTO events(id) VALUES ($1)", [race])
                try await registry.addEntry(event: race, devices: ["imei-1"])
                let events = DeviceEvents(connection: world.postgres, logger: Self.quiet)
                try await events.load()
                #expect(events.events(of: "imei-1") == [race.lowercased()])
            }
        }

        @Test func runPicksUpChangesAndStopsWhenCancelled() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                let entry = try await registry.addEntry(event: race, devices: ["imei-1"])
                let events = DeviceEvents(connection: world.postgres, refresh: .milliseconds(50), logger: Self.quiet)
                try await events.load()
                let running = Task { await events.run() }

                let rally = try await registry.addEvent()
                try await registry.addEntry(event: rally, devices: ["imei-1", "imei-2"])
                try await world.eventually("the new entry is in the map", within: .seconds(10)) {
                    events.events(of: "imei-1") == [race, rally] && events.events(of: "imei-2") == [rally]
                }
                try await registry.removeEntry(entry)
                try await world.eventually("the removed entry is gone from the map", within: .seconds(10)) {
                    events.events(of: "imei-1") == [rally]
                }

                running.cancel()
                await running.value
            }
        }

        @Test func runLoadsAtOnceWhenNothingIsLoaded() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: ["imei-1"])
                let events = DeviceEvents(connection: world.postgres, refresh: .seconds(3600), logger: Self.quiet)
                let running = Task { await events.run() }
                try await world.eventually("the first load", within: .seconds(10)) {
                    events.events(of: "imei-1") == [race]
                }
                running.cancel()
                await running.value
            }
        }

        @Test func failedRefreshKeepsTheStaleMapAndCounts() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: ["imei-1"])
                let metrics = RecordingMetrics()
                let events = DeviceEvents(connection: world.postgres, logger: Self.quiet, metricsFactory: metrics)
                try await events.load()

                try await world.postgres.execute("DROP TABLE entry_devices")
                #expect(await events.refresh() == false)
                #expect(events.events(of: "imei-1") == [race])
                #expect(metrics.count("flowrun_device_event_map_refresh_failures_total") == 1)
                await #expect(throws: DeviceEventsError.self) { try await events.load() }
                #expect(events.events(of: "imei-1") == [race])
            }
        }

        @Test func refreshFromADroppedDatabaseKeepsTheStaleMap() async throws {
            try await TestWorld.run { world in
                let registry = try await EventRegistryFixture.create(on: world.postgres)
                let race = try await registry.addEvent()
                try await registry.addEntry(event: race, devices: ["imei-1"])
                let metrics = RecordingMetrics()
                let events = DeviceEvents(
                    connection: world.postgres,
                    refresh: .milliseconds(50),
                    logger: Self.quiet,
                    metricsFactory: metrics
                )
                try await events.load()
                let running = Task { await events.run() }

                let admin = PostgresConnection(url: world.servers.postgresURL, name: "test-admin")
                try await admin.execute("DROP DATABASE \(world.database) WITH (FORCE)")
                await admin.close()
                try await world.eventually("two failed refreshes", within: .seconds(10)) {
                    metrics.count("flowrun_device_event_map_refresh_failures_total") >= 2
                }
                #expect(events.events(of: "imei-1") == [race])
                #expect(events.map.deviceCount == 1)

                running.cancel()
                await running.value
            }
        }

        @Test func missingRegistryFailsTheLoadNamingTheTablesAndTheirOwner() async throws {
            try await TestWorld.run { world in
                let events = DeviceEvents(connection: world.postgres, logger: Self.quiet)
                do throws(DeviceEventsError) {
                    try await events.load()
                    Issue.record("the load succeeded without the registry tables")
                } catch {
                    #expect(error.kind == .registryMissing)
                    let message = "\(error)"
                    for table in ["devices", "entries", "entry_devices", "CMS", "migrations"] {
                        #expect(message.contains(table), "\(message)")
                    }
                }
                #expect(events.map == .empty)
            }
        }

        @Test func unreachableDatabaseFailsTheLoad() async throws {
            var components = URLComponents(string: try Servers().postgresURL)!
            components.path = "/flowrun_no_such_database"
            let connection = PostgresConnection(url: components.string!, name: "test-missing")
            let events = DeviceEvents(connection: connection, logger: Self.quiet)
            do throws(DeviceEventsError) {
                try await events.load()
                Issue.record("the load succeeded from a database that does not exist")
            } catch {
                #expect(error.kind == .unreadable)
            }
            await connection.close()
        }
    }
}
