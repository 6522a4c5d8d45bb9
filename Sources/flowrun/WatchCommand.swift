import ArgumentParser
import Foundation
import LiveTestClient

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch a live-broadcast server's feed as a browser would: subscribe and print every frame.",
        discussion: """
            Connects to the WebSocket endpoint with a CMS session cookie, subscribes \
            to each --event, and prints every frame the server sends as one JSON line \
            (`subscribed` with its snapshot, course, entries and crossings, then \
            `position`s, `crossing`s and `crossing-removed`s), until Ctrl-C or \
            --count positions. For each `subscribed`, a summary line on stderr counts \
            what it carries. A refused upgrade is reported with its HTTP status \
            (401: no valid session; 503: the CMS could not be asked).

            Examples:
              flowrun watch --event 6f1c1f6e-2f7b-4c55-9a3e-0c1d2e3f4a5b
              flowrun watch --url ws://race-1:8080/live \\
                --cookie 'directus_session_token=…' --event <id> --count 10

            With `flowrun cms-stub`, the session directus_session_token=valid-<name> \
            may watch every event.
            """
    )

    @Option(help: "The live endpoint.")
    var url = "ws://127.0.0.1:8080/live"

    @Option(help: "The Cookie header sent with the upgrade (the browser's CMS session).")
    var cookie = "directus_session_token=valid-watch"

    @Option(help: "An event id to subscribe to (repeat for several).")
    var event: [String] = []

    @Option(help: "Stop after this many positions.")
    var count: Int?

    func validate() throws {
        guard !self.event.isEmpty else { throw ValidationError("name at least one --event <event-id> to watch") }
        guard let url = URL(string: self.url), url.scheme == "ws", url.host != nil else {
            throw ValidationError("--url must look like ws://HOST:PORT/live, not '\(self.url)'")
        }
    }

    func run() async throws {
        let endpoint = URL(string: self.url)!
        let host = endpoint.host!
        let port = endpoint.port ?? 80
        let connection: LiveTestClient.Connection
        do {
            connection = try await LiveTestClient.connect(
                host: host,
                port: port,
                path: endpoint.path.isEmpty ? "/" : endpoint.path,
                cookie: self.cookie
            )
        } catch {
            throw CommandFailure("cannot connect to \(self.url): \(error) (is flowrun running with live-broadcast on?)")
        }
        let client: LiveTestClient
        switch connection {
        case .connected(let connected):
            client = connected
        case .refused(let status, _):
            let why =
                switch status {
                case 401: "no valid CMS session in the cookie; pass --cookie 'directus_session_token=…'"
                case 503: "the server could not ask the CMS; check pipelines.live-broadcast.cms_url and the CMS"
                case 404: "no WebSocket endpoint at that path; the live endpoint is /live"
                default: "see the server's log"
                }
            throw CommandFailure("\(self.url) refused the upgrade with HTTP \(status): \(why)")
        }
        for event in self.event {
            try await client.send(#"{"type":"subscribe","topic":"event:\#(event)"}"#)
        }
        var positions = 0
        for await message in client.messages {
            print(message.text)
            if let summary = Self.summary(ofSubscribed: message.text) {
                FileHandle.standardError.write(Data(summary.utf8))
            }
            if message.text.hasPrefix(#"{"type":"position""#) { positions += 1 }
            if let count = self.count, positions >= count {
                await client.close()
                return
            }
        }
        // The stream ended: the server closed the connection.
        let close = await client.waitUntilClosed()
        throw CommandFailure(
            "the server closed the connection (code \(close?.code.map(String.init) ?? "none")\(close.map { ": " + $0.reason } ?? ""))"
        )
    }

    /// `subscribed event:<id>: 12 positions, course of 4 checkpoints, 3 entries, 7 crossings` for a
    /// `subscribed` frame; nil for any other.
    static func summary(ofSubscribed text: String) -> String? {
        guard text.hasPrefix(#"{"type":"subscribed""#),
            let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        else { return nil }
        func count(_ key: String) -> Int { (object[key] as? [Any])?.count ?? 0 }
        let topic = object["topic"] as? String ?? "?"
        return "subscribed \(topic): \(count("snapshot")) positions, course of \(count("course")) checkpoints, "
            + "\(count("entries")) entries, \(count("crossings")) crossings\n"
    }
}
