import Foundation
import Pipelines
import Stages
import Testing

@Suite("Configuration defaults", .timeLimit(.minutes(1)))
struct ConfigurationDefaultsTests {
    /// The repository's example pipelines.yaml.
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipelines.yaml").path

    @Test("init() gives every documented default and enables no pipeline")
    func initGivesDocumentedDefaults() {
        let configuration = FlowrunConfiguration()
        #expect(configuration.instance == "local-1")
        #expect(configuration.redis.url == URL(string: "redis://127.0.0.1:16379"))
        #expect(configuration.postgres.url == URL(string: "postgresql://flowrun@127.0.0.1:15432/flowrun"))
        #expect(configuration.postgres.chunkInterval == .seconds(86_400))
        #expect(configuration.postgres.migrationSettings == ["flowrun.chunk_interval": "24:00:00"])
        #expect(configuration.http.port == 9090)
        #expect(configuration.log.level == .info)
        #expect(configuration.log.format == .text)
        #expect(configuration.shutdown.drainTimeout == .seconds(30))
        #expect(configuration.faults.minSatellites == 4)
        #expect(configuration.faults.maxAhead == .seconds(300))
        #expect(configuration.faults.maxSpeed == 300)
        #expect(configuration.faults.referenceAge == .seconds(60))
        #expect(configuration.enabledPipelines.isEmpty)
        #expect(!configuration.pipelines.durableWrite.enabled)
        #expect(!configuration.pipelines.liveBroadcast.enabled)

        let durable = configuration.pipelines.durableWrite
        #expect(durable.stream == "telemetry:t")
        #expect(durable.group == "processor")
        #expect(durable.startAt == .beginning)
        #expect(durable.readCount == 1000)
        #expect(durable.block == .seconds(1))
        #expect(durable.claimIdle == .seconds(30))
        #expect(durable.maxDeliveries == 3)
        #expect(durable.deadLetterStream == nil)
        #expect(durable.deadLetterStreamName == "telemetry:t:dead")
        #expect(durable.batch.max == 5000)
        #expect(durable.batch.within == .milliseconds(20))
        #expect(durable.deviceState.capacity == 10_000)
        #expect(durable.writers == 2)

        let live = configuration.pipelines.liveBroadcast
        #expect(live.stream == "telemetry:t")
        #expect(live.timingStream == "timing:crossings")
        #expect(live.groupPrefix == "live-broadcast")
        #expect(live.group(instance: "local-1") == "live-broadcast-local-1")
        #expect(live.port == 8080)
        #expect(live.cmsURL == URL(string: "http://127.0.0.1:8055"))
        #expect(live.cmsTimeout == .seconds(2))
        #expect(live.refresh == .seconds(30))
        #expect(live.readCount == 500)
        #expect(live.block == .seconds(1))
        #expect(live.clientQueue == 256)
        #expect(live.slowClientTimeout == .seconds(10))
        #expect(live.mapTiles == nil && live.tiles == nil, "no tiles: the page fetches nothing from elsewhere")
        #expect(live.mapTilesMaxZoom == 19)

        #expect(!configuration.pipelines.raceTiming.enabled, "off in a file that does not name it")
        let timing = configuration.pipelines.raceTiming
        #expect(timing.stream == "telemetry:t")
        #expect(timing.group == "race-timing")
        #expect(timing.startAt == .beginning)
        #expect(timing.readCount == 1000)
        #expect(timing.claimIdle == .seconds(30))
        #expect(timing.crossingsStream == "timing:crossings")
        #expect(timing.refresh == .seconds(30))
        #expect(timing.lateWindow == .seconds(3600))
        #expect(timing.maxGap == .seconds(300))
        #expect(timing.window.maxPositionsPerDevice == 4000)
        #expect(timing.window.maxPositions == 500_000)
    }

    @Test(
        "an empty file, comments only, a bare document or empty sections give all defaults",
        arguments: ["", "# nothing here\n", "---\n", "pipelines: {}\n", "pipelines:\n", "redis: {}\nlog:\n"]
    )
    func emptyFileGivesDefaults(yaml: String) throws {
        #expect(try load(yaml) == FlowrunConfiguration())
    }

    @Test("a pipeline section that is present is enabled unless it says enabled: false")
    func presentPipelineIsEnabled() throws {
        let present = try load("pipelines:\n  durable-write:\n  live-broadcast: {}\n")
        #expect(present.enabledPipelines == ["durable-write", "live-broadcast"])
        var expected = FlowrunConfiguration()
        expected.pipelines.durableWrite.enabled = true
        expected.pipelines.liveBroadcast.enabled = true
        #expect(present == expected)

        let off = try load("pipelines:\n  durable-write:\n    enabled: false\n  live-broadcast:\n    enabled: true\n")
        #expect(off.enabledPipelines == ["live-broadcast"])
    }

    @Test("enabledPipelines lists durable-write before live-broadcast whatever the file's order")
    func enabledPipelinesHaveAFixedOrder() throws {
        let configuration = try load("pipelines:\n  live-broadcast: {}\n  durable-write: {}\n")
        #expect(configuration.enabledPipelines == ["durable-write", "live-broadcast"])
    }

    @Test("start positions name the id XGROUP CREATE takes")
    func startPositionRedisIDs() {
        typealias StartPosition = FlowrunConfiguration.Pipelines.DurableWrite.StartPosition
        #expect(StartPosition.beginning.description == "0")
        #expect(StartPosition.end.description == "$")
        #expect(
            StartPosition.after(StreamID(milliseconds: 1_714_667_812_123, sequence: 7)).description == "1714667812123-7"
        )
    }

    @Test("the example pipelines.yaml loads with an empty environment and gives the documented defaults")
    func exampleFileLoads() throws {
        let path = Self.examplePath
        let configuration = try ConfigurationLoader.load(path: path, environment: [:])
        var expected = FlowrunConfiguration()
        expected.pipelines.durableWrite.enabled = true
        expected.pipelines.liveBroadcast.enabled = true
        expected.pipelines.raceTiming.enabled = true
        #expect(configuration == expected)
        #expect(configuration.enabledPipelines == ["durable-write", "live-broadcast", "race-timing"])
    }

    @Test("the example pipelines.yaml takes per-instance values from the environment")
    func exampleFileReadsTheEnvironment() throws {
        let path = Self.examplePath
        let environment = [
            "INSTANCE_ID": "processor-7",
            "REDIS_URL": "redis://redis.internal:6379",
            "POSTGRES_URL": "postgres://writer:secret@db.internal/telemetry",
            "HTTP_PORT": "9191",
            "LIVE_PORT": "0",
            "CMS_URL": "https://cms.example.com",
        ]
        let configuration = try ConfigurationLoader.load(path: path, environment: environment)
        #expect(configuration.instance == "processor-7")
        #expect(configuration.redis.url == URL(string: "redis://redis.internal:6379"))
        #expect(configuration.postgres.url == URL(string: "postgres://writer:secret@db.internal/telemetry"))
        #expect(configuration.http.port == 9191)
        #expect(configuration.pipelines.liveBroadcast.port == 0)
        #expect(configuration.pipelines.liveBroadcast.cmsURL == URL(string: "https://cms.example.com"))
    }

    @Test(
        "the example pipelines.yaml honours the TypeScript processor's variables; REDIS_CONSUMER_NAME before INSTANCE_ID"
    )
    func exampleFileReadsTheOriginalsVariables() throws {
        let path = Self.examplePath
        let original = [
            "REDIS_CONSUMER_NAME": "processor-a",
            "METRICS_PORT": "9464",
            "LIVE_WS_PORT": "8081",
            "LIVE_DEVICE_EVENT_REFRESH_MS": "15000",
            "DEVICE_STATE_LRU_CAP": "50000",
            "WRITE_BATCH_SIZE": "500",
        ]
        let configuration = try ConfigurationLoader.load(path: path, environment: original)
        #expect(configuration.instance == "processor-a")
        #expect(configuration.http.port == 9464)
        #expect(configuration.pipelines.liveBroadcast.port == 8081)
        #expect(configuration.pipelines.liveBroadcast.refresh == .seconds(15))
        #expect(configuration.pipelines.durableWrite.deviceState.capacity == 50000)
        #expect(configuration.pipelines.durableWrite.batch.max == 500)

        var both = original
        both.merge(["INSTANCE_ID": "processor-7", "HTTP_PORT": "9191", "LIVE_PORT": "0"]) { $1 }
        let flowrunFirst = try ConfigurationLoader.load(path: path, environment: both)
        #expect(flowrunFirst.instance == "processor-a")  // the consumer name the original's entries are pending for
        #expect(flowrunFirst.http.port == 9191)
        #expect(flowrunFirst.pipelines.liveBroadcast.port == 0)
    }
}
