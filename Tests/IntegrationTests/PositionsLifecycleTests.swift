import Foundation
import Logging
import Pipelines
import Stages
import Testing

extension Integration {
    /// Compression and retention of the positions hypertable (postgres.compress_after, postgres.retention), on
    /// the services' TimescaleDB 2.28.
    @Suite("positions lifecycle")
    struct PositionsLifecycleTests {
        static let migrations = Servers.repository.appendingPathComponent("Migrations").path

        @Test("policies are created, updated and removed as configured; applying them again changes nothing")
        func policies() async throws {
            try await ScratchDatabase.run(url: try Servers().postgresURL) { connection, _ in
                _ = try await Migrator(
                    directory: Self.migrations,
                    connection: connection,
                    logger: Logger(label: "test")
                )
                .run()
                #expect(try await PositionsLifecycle.policies(connection) == .init())
                #expect(try await PositionsLifecycle.apply(.init(), connection) == [])

                let week = PositionsLifecycle.Policies(compressAfter: "168:00:00", retention: "2160:00:00")
                #expect(
                    try await PositionsLifecycle.apply(week, connection) == [
                        "compression enabled on positions: segments by device_id, ordered by ts",
                        "compression policy: chunks older than 168:00:00 are compressed",
                        "retention policy: chunks older than 2160:00:00 are dropped",
                    ]
                )
                #expect(try await PositionsLifecycle.policies(connection) == week)
                #expect(try await PositionsLifecycle.apply(week, connection) == [])
                let settings = try await connection.query(
                    """
                    SELECT attname::text, segmentby_column_index::text, orderby_column_index::text, orderby_asc::text
                    FROM timescaledb_information.compression_settings
                    WHERE hypertable_name = 'positions' ORDER BY attname
                    """
                ).rows
                #expect(settings == [["device_id", "1", nil, nil], ["ts", nil, "1", "true"]])

                // An equal age written otherwise is the same policy; a new one replaces it.
                let sameWeek = PositionsLifecycle.Policies(compressAfter: "7 days", retention: "2160:00:00")
                #expect(try await PositionsLifecycle.apply(sameWeek, connection) == [])
                let day = PositionsLifecycle.Policies(compressAfter: "24:00:00", retention: "2160:00:00")
                #expect(
                    try await PositionsLifecycle.apply(day, connection) == [
                        "compression policy: chunks older than 24:00:00 are compressed (it was 168:00:00)"
                    ]
                )
                #expect(try await PositionsLifecycle.policies(connection) == day)
                let jobs = try await connection.query(
                    "SELECT count(*) FROM timescaledb_information.jobs WHERE hypertable_name = 'positions'"
                ).rows
                #expect(jobs == [["2"]])

                // Off removes them.
                #expect(
                    try await PositionsLifecycle.apply(.init(), connection) == [
                        "compression policy removed (it was 24:00:00)",
                        "retention policy removed (it was 2160:00:00)",
                    ]
                )
                #expect(try await PositionsLifecycle.policies(connection) == .init())
            }
        }

        @Test("a compressed chunk: ~1/10 of its size, the same reads, and late positions written by durable-write")
        func compressedChunk() async throws {
            try await TestWorld.run { world in
                let postgres = world.postgres
                // 20 trackers at 1 Hz for 10,000 s on 2026-05-01: 200,000 rows in one 1-day chunk.
                try await postgres.execute(
                    """
                    INSERT INTO positions (device_id, ts, latitude, longitude, altitude, angle, speed, satellites,
                                           priority, attributes, received_at)
                    SELECT '3563070424420' || lpad(d::text, 2, '0'), TIMESTAMPTZ '2026-05-01 08:00:00+00' + s * INTERVAL '1 second',
                           54.68 + d * 0.001 + s * 1e-6, 25.27 + s * 1.3e-6, 100 + (s / 10) % 50, (s * 3) % 360,
                           20 + s % 17, 8 + s % 5, 0, jsonb_build_object('239', 1, '66', 12000 + s % 300, '16', s * 13),
                           TIMESTAMPTZ '2026-05-01 08:00:01+00' + s * INTERVAL '1 second'
                    FROM generate_series(0, 19) AS d, generate_series(0, 9999) AS s
                    """
                )
                let metrics = RecordingMetrics()
                let size = PositionsSize(postgresURL: world.databaseURL, metricsFactory: metrics)
                let last = { (metric: String, state: String) in metrics.values(metric, [("state", state)]).last }
                await size.pollNow()
                let uncompressed = try await PositionsChunks.read(postgres)
                #expect(uncompressed.uncompressedChunks == 1 && uncompressed.compressedChunks == 0)
                #expect(last("flowrun_positions_bytes", "uncompressed") == Double(uncompressed.uncompressedBytes))
                #expect(last("flowrun_positions_bytes", "compressed") == 0)

                let replay = """
                    SELECT count(*)::text, md5(string_agg(concat_ws(',', ts, latitude, longitude, satellites, received_at),
                                                          ';' ORDER BY ts))
                    FROM positions WHERE device_id = '356307042442007'
                        AND ts >= '2026-05-01 08:30:00+00' AND ts <= '2026-05-01 10:00:00+00'
                    """
                let latest = """
                    SELECT d, p.ts::text FROM unnest(ARRAY['356307042442003', '356307042442017']) AS d
                    CROSS JOIN LATERAL (SELECT ts FROM positions WHERE device_id = d AND NOT faulty
                                        ORDER BY ts DESC LIMIT 1) AS p
                    """
                let replayBefore = try await postgres.query(replay).rows
                let latestBefore = try await postgres.query(latest).rows

                _ = try await PositionsLifecycle.apply(.init(compressAfter: "24:00:00"), postgres)
                try await postgres.execute("SELECT compress_chunk(c) FROM show_chunks('positions') AS c")
                let compressed = try await PositionsChunks.read(postgres)
                #expect(compressed.compressedChunks == 1 && compressed.uncompressedChunks == 0)
                let ratio = Double(compressed.compressedBytes) / Double(uncompressed.uncompressedBytes)
                print(
                    "positions lifecycle: 200,000 positions, \(uncompressed.uncompressedBytes) bytes uncompressed, "
                        + "\(compressed.compressedBytes) compressed: \(String(format: "%.1f", ratio * 100)) %"
                )
                #expect(ratio <= 0.20)
                #expect(try await postgres.query(replay).rows == replayBefore)
                #expect(try await postgres.query(latest).rows == latestBefore)

                // Late positions into the compressed chunk, through durable-write: one already stored (a
                // duplicate, by COPY first as the device is new to this instance, then by INSERT), one new;
                // and one of another day (a new, uncompressed chunk).
                let payload = { (device: String, timestamp: String, latitude: Double) in
                    """
                    {"device_id":"\(device)","timestamp":"\(timestamp)","latitude":\(latitude),"longitude":25.27,\
                    "satellites":9}
                    """
                }
                let running = try RunningDurableWrite(world.configuration())
                try await world.append([
                    ("356307042442005", payload("356307042442005", "2026-05-01T08:00:10Z", 54.9)),
                    ("356307042442006", payload("356307042442006", "2026-05-01T08:00:10.500Z", 54.9)),
                    ("356307042442006", payload("356307042442006", "2026-05-02T08:00:00Z", 54.68602)),
                ])
                try await world.waitUntilStoredAndAcknowledged(rows: 200_002)
                try await running.stop()
                #expect(running.service.stats.inserted == 2)
                #expect(running.service.stats.duplicates == 1)
                let stored = try await postgres.query(
                    """
                    SELECT device_id, ts::text, latitude::text, satellites::text FROM positions
                    WHERE (device_id, ts) IN (('356307042442005', '2026-05-01 08:00:10+00'),
                                              ('356307042442006', '2026-05-01 08:00:10.5+00'))
                    ORDER BY device_id
                    """
                ).rows
                #expect(
                    stored == [
                        ["356307042442005", "2026-05-01 08:00:10+00", "54.68501", "8"],  // as first stored
                        ["356307042442006", "2026-05-01 08:00:10.5+00", "54.9", "9"],
                    ]
                )

                await size.pollNow()
                let both = try await PositionsChunks.read(postgres)
                #expect(both.compressedChunks == 1 && both.uncompressedChunks == 1)
                #expect(last("flowrun_positions_bytes", "compressed") == Double(both.compressedBytes))
                #expect(last("flowrun_positions_bytes", "uncompressed") == Double(both.uncompressedBytes))
                #expect(both.compressedBytes > 0 && both.uncompressedBytes > 0)
                #expect(last("flowrun_positions_chunks", "compressed") == 1)
                #expect(last("flowrun_positions_chunks", "uncompressed") == 1)
            }
        }

        @Test("a plain table is one uncompressed chunk of its whole size")
        func plainTable() async throws {
            try await ScratchDatabase.run(url: try Servers().postgresURL) { connection, _ in
                _ = try await Migrator(
                    directory: Self.migrations,
                    connection: connection,
                    logger: Logger(label: "test"),
                    settings: ["flowrun.timescaledb": "off"]
                ).run()
                let chunks = try await PositionsChunks.read(connection)
                #expect(chunks.uncompressedChunks == 1 && chunks.compressedChunks == 0)
                #expect(chunks.uncompressedBytes > 0)
            }
        }
    }
}
