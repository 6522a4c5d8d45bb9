import BenchmarkSupport
import LiveTestClient

/// The browsers: `count` WebSocket clients, client i signed in as `valid-bench-<i>` (a CMS stub user allowed
/// every event) and subscribed to event i % events.
struct BenchmarkClients {
    static let cookieName = "directus_session_token"
    /// Connections opened at once (each upgrade asks the CMS, each subscription reads a snapshot).
    static let concurrentConnects = 32

    let clients: [LiveTestClient]
    let logs: [DeliveryLog]
    let progress: ClientProgress

    /// Connects and subscribes every client, and waits until each got `subscribed`.
    static func connect(
        count: Int,
        port: Int,
        eventIDs: [String],
        reader: DeliveryReader,
        timeout: Duration = .seconds(60)
    ) async throws -> BenchmarkClients {
        let progress = ClientProgress()
        let logs = (0..<count).map { _ in DeliveryLog(reader: reader, progress: progress) }
        var clients: [LiveTestClient?] = Array(repeating: nil, count: count)
        try await withThrowingTaskGroup(of: (Int, LiveTestClient).self) { group in
            var next = 0
            var running = 0
            while true {
                while next < count, running < Self.concurrentConnects {
                    let index = next
                    let log = logs[index]
                    let topic = "event:\(eventIDs[index % eventIDs.count])"
                    group.addTask {
                        (index, try await Self.connect(index: index, port: port, topic: topic, log: log))
                    }
                    next += 1
                    running += 1
                }
                guard let (index, client) = try await group.next() else { break }
                running -= 1
                clients[index] = client
            }
        }
        let connected = BenchmarkClients(clients: clients.compactMap { $0 }, logs: logs, progress: progress)
        let deadline = ContinuousClock.now + timeout
        while progress.subscribed.load(ordering: .relaxed) < count {
            if let message = progress.unexpectedMessage {
                await connected.close()
                throw BenchmarkFailure("a client got an unexpected answer to its subscription: \(message)")
            }
            guard ContinuousClock.now < deadline else {
                await connected.close()
                throw BenchmarkFailure(
                    "only \(progress.subscribed.load(ordering: .relaxed)) of \(count) clients got `subscribed` within \(timeout)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return connected
    }

    private static func connect(
        index: Int,
        port: Int,
        topic: String,
        log: DeliveryLog
    ) async throws -> LiveTestClient {
        let connection = try await LiveTestClient.connect(
            host: "127.0.0.1",
            port: port,
            cookie: "\(Self.cookieName)=valid-bench-\(index)",
            onMessage: { log.record($0) }
        )
        switch connection {
        case .connected(let client):
            try await client.send(#"{"type":"subscribe","topic":"\#(topic)"}"#)
            return client
        case .refused(let status, let body):
            throw BenchmarkFailure("flowrun refused client \(index)'s WebSocket upgrade: HTTP \(status) \(body)")
        }
    }

    /// Closes every connection still open (flowrun's shutdown closes them itself, with 1001).
    func close() async {
        await withTaskGroup(of: Void.self) { group in
            for client in self.clients where client.isActive {
                group.addTask { try? await client.channel.close() }
            }
        }
    }
}
