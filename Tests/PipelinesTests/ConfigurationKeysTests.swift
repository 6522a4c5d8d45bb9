import Foundation
import Pipelines
import Stages
import Testing

@Suite("Configuration keys", .timeLimit(.minutes(1)))
struct ConfigurationKeysTests {
    @Test("every key is read into its property")
    func everyKeyIsRead() throws {
        let yaml = """
            instance: processor-2
            redis:
              url: redis://redis.internal:6380/0
            postgres:
              url: postgres://writer@db.internal:5433/telemetry
              chunk_interval: 6h
              compress_after: 7d
              retention: 2160h
            http:
              port: 0
            log:
              level: debug
              format: json
            shutdown:
              drain_timeout: 45s
            faults:
              min_satellites: 0
              max_ahead: 30s
              max_speed: 120.5
              reference_age: 2m
            pipelines:
              durable-write:
                enabled: false
                stream: positions:a
                group: writers
                start_at: 1714667812123-4
                read_count: 100
                block: 250ms
                claim_idle: 2m
                max_deliveries: 5
                dead_letter_stream: positions:poison
                batch:
                  max: 50
                  within: 1.5s
                device_state:
                  capacity: 20
                writers: 4
              live-broadcast:
                enabled: true
                stream: positions:b
                timing_stream: timing:b
                group_prefix: live
                port: 8181
                cms_url: https://cms.example.com/api
                cms_timeout: 500ms
                refresh: 1h
                read_count: 64
                block: 2s
                client_queue: 16
                slow_client_timeout: 3s
                map_tiles: https://tiles.example.org/{z}/{x}/{y}.png
                map_tiles_attribution: © the site
                map_tiles_max_zoom: 18
            """
        var expected = FlowrunConfiguration()
        expected.instance = "processor-2"
        expected.redis.url = URL(string: "redis://redis.internal:6380/0")!
        expected.postgres.compressAfter = .seconds(7 * 86_400)
        expected.postgres.retention = .seconds(90 * 86_400)
        expected.postgres.url = URL(string: "postgres://writer@db.internal:5433/telemetry")!
        expected.postgres.chunkInterval = .seconds(6 * 3600)
        expected.http.port = 0
        expected.log.level = .debug
        expected.log.format = .json
        expected.shutdown.drainTimeout = .seconds(45)
        expected.faults = FaultThresholds(
            minSatellites: 0,
            maxAhead: .seconds(30),
            maxSpeed: 120.5,
            referenceAge: .seconds(120)
        )

        var durable = FlowrunConfiguration.Pipelines.DurableWrite(enabled: false)
        durable.stream = "positions:a"
        durable.group = "writers"
        durable.startAt = .after(StreamID(milliseconds: 1_714_667_812_123, sequence: 4))
        durable.readCount = 100
        durable.block = .milliseconds(250)
        durable.claimIdle = .seconds(120)
        durable.maxDeliveries = 5
        durable.deadLetterStream = "positions:poison"
        durable.batch.max = 50
        durable.batch.within = .milliseconds(1500)
        durable.deviceState.capacity = 20
        durable.writers = 4
        expected.pipelines.durableWrite = durable

        var live = FlowrunConfiguration.Pipelines.LiveBroadcast(enabled: true)
        live.stream = "positions:b"
        live.timingStream = "timing:b"
        live.groupPrefix = "live"
        live.port = 8181
        live.cmsURL = URL(string: "https://cms.example.com/api")!
        live.cmsTimeout = .milliseconds(500)
        live.refresh = .seconds(3600)
        live.readCount = 64
        live.block = .seconds(2)
        live.clientQueue = 16
        live.mapTiles = "https://tiles.example.org/{z}/{x}/{y}.png"
        live.mapTilesAttribution = "© the site"
        live.mapTilesMaxZoom = 18
        live.slowClientTimeout = .seconds(3)
        expected.pipelines.liveBroadcast = live

        let configuration = try load(yaml)
        #expect(configuration == expected)
        #expect(configuration.enabledPipelines == ["live-broadcast"])
        #expect(configuration.pipelines.durableWrite.deadLetterStreamName == "positions:poison")
        #expect(configuration.pipelines.liveBroadcast.group(instance: configuration.instance) == "live-processor-2")
    }

    @Test("an empty dead_letter_stream means <stream>:dead")
    func emptyDeadLetterStreamIsDerived() throws {
        let yaml = "pipelines:\n  durable-write:\n    stream: s\n    dead_letter_stream: \"\"\n"
        let durable = try load(yaml).pipelines.durableWrite
        #expect(durable.deadLetterStream == nil)
        #expect(durable.deadLetterStreamName == "s:dead")
    }

    @Test(
        "start_at takes beginning, end or a stream id",
        arguments: [
            ("beginning", .beginning),
            ("end", .end),
            ("0-0", .after(StreamID(milliseconds: 0, sequence: 0))),
            ("1714667812123-18", .after(StreamID(milliseconds: 1_714_667_812_123, sequence: 18))),
        ] as [(String, FlowrunConfiguration.Pipelines.DurableWrite.StartPosition)]
    )
    func startAtValues(text: String, expected: FlowrunConfiguration.Pipelines.DurableWrite.StartPosition) throws {
        let configuration = try load("pipelines:\n  durable-write:\n    start_at: \(text)\n")
        #expect(configuration.pipelines.durableWrite.startAt == expected)
    }

    @Test("every log level and format is accepted")
    func logLevelsAndFormats() throws {
        for level in FlowrunConfiguration.Log.Level.allCases {
            for format in FlowrunConfiguration.Log.Format.allCases {
                let log = try load("log:\n  level: \(level.rawValue)\n  format: \(format.rawValue)\n").log
                #expect(log.level == level)
                #expect(log.format == format)
            }
        }
    }

    @Test(
        "booleans, quoted values and port bounds",
        arguments: [
            ("pipelines:\n  durable-write:\n    enabled: \"false\"\n", false),
            ("pipelines:\n  durable-write:\n    enabled: True\n", true),
            ("pipelines:\n  durable-write:\n    enabled: FALSE\n", false),
        ]
    )
    func booleans(yaml: String, enabled: Bool) throws {
        #expect(try load(yaml).pipelines.durableWrite.enabled == enabled)
    }

    @Test("ports 0 and 65535 are accepted; postgres URLs may leave out the host (a local socket)")
    func bounds() throws {
        #expect(try load("http:\n  port: 65535\n").http.port == 65535)
        #expect(try load("http:\n  port: '0'\n").http.port == 0)
        let url = try load("postgres:\n  url: postgresql:///flowrun\n").postgres.url
        #expect(url == URL(string: "postgresql:///flowrun"))
    }
}
