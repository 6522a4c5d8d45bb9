import Foundation
import LiveTestClient
import Logging
import Stages
import Synchronization
import Testing

/// A live server on 127.0.0.1, any free port, with fakes for the CMS and the snapshots.
struct LiveTestServer {
    let server: LiveServer
    let authority = LiveFakeAuthority()
    let snapshots = LiveFakeSnapshots()
    let metrics = RecordingMetrics()
    let port: Int

    static let eventA = "0b7e4c1a-7d4f-4f1e-9a51-3c2d1e0f9a01"
    static let eventB = "1c8f5d2b-8e50-4a2f-8b62-4d3e2f1a0b02"
    static let eventC = "2d906e3c-9f61-4b30-9c73-5e4f3a2b1c03"

    /// Starts a server; `configure` adjusts the configuration (port and host are set for the test).
    init(_ configure: (inout LiveServer.Configuration) -> Void = { _ in }) async throws {
        var configuration = LiveServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.closeTimeout = .seconds(2)
        configure(&configuration)
        let authority = self.authority
        let snapshots = self.snapshots
        var logger = Logger(label: "live-test")
        logger.logLevel = .warning
        self.server = LiveServer(
            configuration: configuration,
            authority: authority,
            snapshots: snapshots,
            history: snapshots,
            logger: logger,
            metricsFactory: self.metrics
        )
        try await self.server.start()
        self.port = try #require(self.server.port)
    }

    /// Connects with `cookie`; `options` for a slow client.
    func connect(
        cookie: String? = "session=valid",
        path: String = "/live",
        options: LiveTestClient.Options = .init()
    ) async throws -> LiveTestClient.Connection {
        try await LiveTestClient.connect(
            host: "127.0.0.1",
            port: self.port,
            path: path,
            cookie: cookie,
            options: options
        )
    }

    /// A connected client whose messages are collected in a ``LiveReceiver``.
    func client(options: LiveTestClient.Options = .init()) async throws -> (LiveTestClient, LiveReceiver) {
        let receiver = LiveReceiver()
        let connection = try await LiveTestClient.connect(
            host: "127.0.0.1",
            port: self.port,
            cookie: "session=valid",
            options: options,
            onMessage: { receiver.append($0) }
        )
        let client = try #require(connection.client, "the upgrade was refused: \(connection)")
        return (client, receiver)
    }

    func stop() async {
        await self.server.shutdown()
    }

    /// Runs `body` with a started server, shutting it down afterwards, also when `body` throws.
    static func run(
        _ configure: (inout LiveServer.Configuration) -> Void = { _ in },
        _ body: (LiveTestServer) async throws -> Void
    ) async throws {
        let server = try await LiveTestServer(configure)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// ``run(_:_:)`` with the server's `flushDelay` set.
    static func run(flushDelay: Duration, _ body: (LiveTestServer) async throws -> Void) async throws {
        try await self.run({ $0.flushDelay = flushDelay }, body)
    }
}

/// Collects a client's messages, parsed, for a test to wait for.
final class LiveReceiver: Sendable {
    private let messages = Mutex<[LiveTestClient.Message]>([])

    func append(_ message: LiveTestClient.Message) {
        self.messages.withLock { $0.append(message) }
    }

    var count: Int { self.messages.withLock { $0.count } }

    /// The texts received so far.
    func texts() -> [String] {
        self.messages.withLock { $0 }.map(\.text)
    }

    /// The messages received so far, as JSON objects.
    func all() throws -> [[String: Any]] {
        try self.messages.withLock { $0 }.map(LiveReceiver.object)
    }

    /// Waits until at least `count` messages came (a hang guard, not a timing assertion); returns them all.
    func wait(
        for count: Int,
        within limit: Duration = .seconds(20),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [[String: Any]] {
        let start = ContinuousClock.now
        while self.count < count {
            if start.duration(to: .now) > limit {
                Issue.record(
                    "waited for \(count) messages, got \(self.count): \(try self.all())",
                    sourceLocation: sourceLocation
                )
                throw LiveTestError.timeout
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try self.all()
    }

    /// The `n`th message (0-based), waiting for it.
    func message(_ index: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        try await self.wait(for: index + 1, sourceLocation: sourceLocation)[index]
    }

    static func object(_ message: LiveTestClient.Message) throws -> [String: Any] {
        let json = try JSONSerialization.jsonObject(with: Data(message.text.utf8), options: [.fragmentsAllowed])
        guard let object = json as? [String: Any] else { throw LiveTestError.notAnObject(message.text) }
        return object
    }
}

enum LiveTestError: Error {
    case timeout
    case notAnObject(String)
}

/// Polls `condition` until it holds; fails after `limit` (a hang guard, not a timing assertion).
func liveEventually(
    _ what: String,
    within limit: Duration = .seconds(20),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let start = ContinuousClock.now
    while try await !condition() {
        if start.duration(to: .now) > limit {
            Issue.record("gave up waiting: \(what)", sourceLocation: sourceLocation)
            throw LiveTestError.timeout
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

extension LiveTestClient {
    func subscribe(_ event: String) async throws {
        try await self.send(#"{"type":"subscribe","topic":"event:\#(event)"}"#)
    }

    func unsubscribe(_ event: String) async throws {
        try await self.send(#"{"type":"unsubscribe","topic":"event:\#(event)"}"#)
    }
}

/// A position of `device` `index` milliseconds after 2026-05-02T16:36:52Z.
func livePosition(_ device: String, _ index: Int, speed: Double? = 12.5) -> LivePosition {
    LivePosition(
        deviceID: device,
        timestamp: 1_777_739_812_000_000 + Int64(index) * 1000,
        latitude: 47.5 + Double(index % 1024) / 1024,  // binary fractions: exact decimal text
        longitude: 8.541694,
        altitude: 408,
        angle: nil,
        speed: speed,
        satellites: 9
    )
}

extension Dictionary where Key == String, Value == Any {
    var type: String? { self["type"] as? String }
    var topic: String? { self["topic"] as? String }
    var code: String? { self["code"] as? String }
    var position: [String: Any]? { self["position"] as? [String: Any] }
    var deviceID: String? { self.position?["device_id"] as? String }
    var ts: String? { self.position?["ts"] as? String }
}
