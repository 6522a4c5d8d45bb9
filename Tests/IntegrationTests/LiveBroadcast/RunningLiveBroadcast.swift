import Flow
import Foundation
import LiveTestClient
import Logging
import Pipelines
import ServiceLifecycle
import Stages
import Testing

/// live-broadcast running in this process as a service on real Redis and PostgreSQL, with the CMS stand-in
/// over real HTTP, stopped by a graceful shutdown.
final class RunningLiveBroadcast: Sendable {
    let service: LiveBroadcast
    let port: Int
    /// Every metric the pipeline and its server recorded.
    let metrics = RecordingMetrics()
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts the pipeline and waits until its WebSocket server listens.
    init(_ configuration: FlowrunConfiguration) async throws {
        var flow = PipelineConfiguration()
        // FLOWRUN_TEST_LOG=1 shows the pipeline's log on standard error.
        flow.logger =
            ProcessInfo.processInfo.environment["FLOWRUN_TEST_LOG"] == "1"
            ? Logger(label: "live-broadcast-test", factory: { StreamLogHandler.standardError(label: $0) })
            : Logger(label: "live-broadcast-test", factory: { _ in SwiftLogNoOpLogHandler() })
        flow.metricsFactory = self.metrics
        let service = try LiveBroadcast(configuration: configuration, flow: flow)
        let group = ServiceGroup(services: [service], logger: flow.logger)
        self.service = service
        self.group = group
        self.task = Task { try await group.run() }
        let port = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await service.port() }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let port else {
            self.task.cancel()
            throw HarnessError("live-broadcast did not start listening within 30 s")
        }
        self.port = port
    }

    /// Drains the pipeline, then closes every socket.
    func stop() async throws {
        await self.group.triggerGracefulShutdown()
        try await self.task.value
    }

    /// A client with the CMS stand-in's session `token` (see `flowrun cms-stub --help`).
    func connect(token: String?) async throws -> LiveTestClient.Connection {
        try await LiveTestClient.connect(
            host: "127.0.0.1",
            port: self.port,
            cookie: token.map { "directus_session_token=\($0)" }
        )
    }

    /// A connected client whose messages are collected.
    func client(
        token: String = "valid-test",
        options: LiveTestClient.Options = .init()
    ) async throws -> (LiveTestClient, LiveReceiver) {
        let receiver = LiveReceiver()
        let connection = try await LiveTestClient.connect(
            host: "127.0.0.1",
            port: self.port,
            cookie: "directus_session_token=\(token)",
            options: options,
            onMessage: { receiver.append($0) }
        )
        guard let client = connection.client else { throw HarnessError("the upgrade was refused: \(connection)") }
        return (client, receiver)
    }
}

extension TestWorld {
    /// flowrun's configuration with live-broadcast on (and durable-write off), reading this world's stream,
    /// asking the CMS at `cms`, serving on any free port.
    func liveConfiguration(cms: URL, instance: String = "live-1") -> FlowrunConfiguration {
        var configuration = self.configuration(instance: instance)
        configuration.pipelines.durableWrite.enabled = false
        var live = FlowrunConfiguration.Pipelines.LiveBroadcast(enabled: true)
        live.stream = self.stream
        live.timingStream = self.timingStream
        live.port = 0
        live.cmsURL = cms
        live.cmsTimeout = .seconds(1)
        live.refresh = .milliseconds(200)
        live.block = .milliseconds(100)
        configuration.pipelines.liveBroadcast = live
        return configuration
    }

    /// Runs `body` with the registry's tables, a CMS stand-in and live-broadcast running, stopping both after.
    func withLiveBroadcast(
        configure: (inout FlowrunConfiguration) -> Void = { _ in },
        _ body: (RunningLiveBroadcast, EventRegistryFixture, RunningCMSStub) async throws -> Void
    ) async throws {
        let registry = try await EventRegistryFixture.create(on: self.postgres)
        try await RunningCMSStub.run { cms in
            var configuration = self.liveConfiguration(cms: cms.url)
            configure(&configuration)
            let live = try await RunningLiveBroadcast(configuration)
            do {
                try await body(live, registry, cms)
            } catch {
                try? await live.stop()
                throw error
            }
            try await live.stop()
        }
    }

    /// This world's `timing:crossings` stream (CONTRACT §6.5).
    var timingStream: String { self.stream + ":crossings" }

    /// Appends `change` to ``timingStream`` as race-timing does; returns its id.
    @discardableResult
    func append(_ change: CrossingChange) async throws -> String {
        var command: [RedisArgument] = ["XADD", RedisArgument(self.timingStream), "*"]
        for field in change.streamFields {
            command.append(RedisArgument(field.name))
            command.append(RedisArgument(bytes: field.value))
        }
        guard let id = try await self.redis.send(pipeline: [command]).first?.string else {
            throw HarnessError("XADD to \(self.timingStream) failed")
        }
        return id
    }

    /// Runs `body` with live-broadcast running and a client subscribed to an event that has `device` (its
    /// `subscribed` already received: message 0), closing the client after.
    func withSubscribedClient(
        device: String,
        _ body: (LiveTestClient, LiveReceiver) async throws -> Void
    ) async throws {
        try await self.withLiveBroadcast { live, registry, _ in
            let event = try await registry.addEvent()
            try await registry.addEntry(event: event, devices: [device])
            try await self.eventually("the map has \(device)") {
                !live.service.deviceEvents.events(of: device).isEmpty
            }
            let (client, received) = try await live.client()
            try await client.subscribe(event)
            #expect(try await received.message(0).type == "subscribed")
            try await body(client, received)
            await client.close()
        }
    }

    /// A CONTRACT §1 payload of `device` at `micros` (µs since the epoch).
    static func payload(
        _ device: String,
        micros: Int64,
        latitude: Double = 54.687157,
        longitude: Double = 25.279652
    ) -> String {
        """
        {"device_id":"\(device)","timestamp":"\(Timestamp.format(micros, precision: .microseconds))",\
        "latitude":\(latitude),"longitude":\(longitude),"altitude":112,"angle":null,"speed":43.5,"satellites":11}
        """
    }
}
