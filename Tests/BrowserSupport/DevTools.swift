import Foundation
import LiveTestClient
import NIOCore
import Synchronization

/// A client of the Chrome DevTools protocol over one WebSocket to the browser (the project's own
/// ``LiveTestClient``): commands with their replies matched by id, commands to a page through its flat session,
/// and the page's console errors collected from `Runtime.consoleAPICalled`, `Runtime.exceptionThrown` and
/// `Log.entryAdded`.
///
/// - Important: Thread-safe. Every command has a deadline (30 s): a browser that stops answering fails the test
///   instead of hanging it.
public final class DevTools: Sendable {
    /// Something the page said was wrong.
    public struct Problem: Sendable, CustomStringConvertible {
        /// `console.error`, `exception` or `log:<source>` (a `Log.entryAdded` of level error, e.g. `log:network`).
        public var kind: String
        public var text: String
        public var url: String?

        public var description: String { "[\(self.kind)] \(self.text)" + (self.url.map { " (\($0))" } ?? "") }
    }

    public struct CommandFailed: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<Data, any Error>] = [:]
        public var problems: [Problem] = []
        var isClosed = false
    }

    private let client: LiveTestClient
    private let state = Mutex(State())

    private init(client: LiveTestClient) {
        self.client = client
    }

    /// Connects to the browser endpoint `ws://127.0.0.1:<port><path>` (from its `DevToolsActivePort` file).
    public static func connect(port: Int, path: String) async throws -> DevTools {
        let box = Box()
        var options = LiveTestClient.Options()
        options.maxFrameSize = 1 << 26
        let connection = try await LiveTestClient.connect(
            host: "127.0.0.1",
            port: port,
            path: path,
            options: options,
            onMessage: { message in box.value.withLock { $0 }?.received(message.payload) }
        )
        guard let client = connection.client else {
            throw CommandFailed(description: "the DevTools endpoint refused the WebSocket: \(connection)")
        }
        let devTools = DevTools(client: client)
        box.value.withLock { $0 = devTools }
        client.channel.closeFuture.whenComplete { _ in devTools.closed() }
        return devTools
    }

    /// Sends `method` with `params` (to the page of `session`, or to the browser) and returns the reply's
    /// `result` as JSON.
    public func call(_ method: String, _ params: [String: Any] = [:], session: String? = nil) async throws -> Data {
        let id = self.state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var command: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { command["sessionId"] = session }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: command), as: UTF8.self)
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            self.finish(id, .failure(CommandFailed(description: "\(method): no reply within 30 s")))
        }
        defer { timeout.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let isClosed = self.state.withLock { state in
                if !state.isClosed { state.waiting[id] = continuation }
                return state.isClosed
            }
            if isClosed {
                continuation.resume(throwing: CommandFailed(description: "\(method): the browser connection is closed"))
                return
            }
            Task {
                do {
                    try await self.client.send(text)
                } catch {
                    self.finish(id, .failure(error))
                }
            }
        }
    }

    /// The problems collected so far, oldest first.
    public var problems: [Problem] { self.state.withLock { $0.problems } }

    public func close() async {
        await self.client.close()
    }

    // MARK: - Receiving

    /// Where the message callback finds the client once it is made.
    private final class Box: Sendable {
        let value = Mutex<DevTools?>(nil)
    }

    private func finish(_ id: Int, _ result: Result<Data, any Error>) {
        let continuation = self.state.withLock { $0.waiting.removeValue(forKey: id) }
        continuation?.resume(with: result)
    }

    private func closed() {
        let waiting = self.state.withLock { state in
            state.isClosed = true
            defer { state.waiting = [:] }
            return state.waiting
        }
        for continuation in waiting.values {
            continuation.resume(throwing: CommandFailed(description: "the browser connection closed"))
        }
    }

    private func received(_ payload: ByteBuffer) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.readableBytesView)) as? [String: Any]
        else { return }
        if let id = object["id"] as? Int {
            if let error = object["error"] as? [String: Any] {
                self.finish(id, .failure(CommandFailed(description: "DevTools error: \(error)")))
            } else {
                let result = object["result"] ?? [String: Any]()
                let data = (try? JSONSerialization.data(withJSONObject: result)) ?? Data("{}".utf8)
                self.finish(id, .success(data))
            }
            return
        }
        guard let method = object["method"] as? String, let params = object["params"] as? [String: Any] else { return }
        if let problem = Self.problem(method, params) {
            self.state.withLock { $0.problems.append(problem) }
        }
    }

    private static func problem(_ method: String, _ params: [String: Any]) -> Problem? {
        switch method {
        case "Runtime.consoleAPICalled":
            guard let type = params["type"] as? String, type == "error" || type == "assert" else { return nil }
            let args = (params["args"] as? [[String: Any]] ?? []).map { "\($0["value"] ?? $0["description"] ?? "")" }
            return Problem(kind: "console.\(type)", text: args.joined(separator: " "), url: nil)
        case "Runtime.exceptionThrown":
            let details = params["exceptionDetails"] as? [String: Any] ?? [:]
            let exception = details["exception"] as? [String: Any]
            let text = exception?["description"] as? String ?? details["text"] as? String ?? "exception"
            return Problem(kind: "exception", text: text, url: details["url"] as? String)
        case "Log.entryAdded":
            guard let entry = params["entry"] as? [String: Any], entry["level"] as? String == "error" else {
                return nil
            }
            return Problem(
                kind: "log:\(entry["source"] as? String ?? "?")",
                text: entry["text"] as? String ?? "",
                url: entry["url"] as? String
            )
        default:
            return nil
        }
    }
}
