import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

struct TapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "Print the items leaving a stage of a running flowrun, as JSON lines, while it runs.",
        discussion: """
            Subscribes to a stage of a pipeline running in the flowrun at --url (its \
            operations port: http.port in pipelines.yaml, or HTTP_PORT, default \
            9090) and prints each item that leaves the stage from then on, one JSON \
            value per line on standard output, until --limit items were printed or \
            --duration seconds have passed, like `vector tap`. What flowrun tap itself \
            has to say (what it taps, items dropped, why it ended) goes to standard \
            error, so the output can be piped to jq.

            The pipeline never waits for a tap: when this client reads too slowly, \
            the items it could not take are dropped, and their number is told. `flowrun \
            check pipelines.yaml` lists the stages of each pipeline; a sink (such as \
            acknowledge) sends nothing on, so tap the stage before it.

            Examples:
              flowrun tap durable-write decode --limit 5
              flowrun tap durable-write write-positions --duration 30
              flowrun tap live-broadcast event-lookup --url http://race-2:9090 \\
                | jq -c '.events'
              flowrun tap durable-write stream-source --limit 1 \\
                | jq -r '.fields.payload | fromjson'
            """
    )

    @Argument(
        help: """
            The pipeline, as named in pipelines.yaml: durable-write, live-broadcast or race-timing \
            (live-broadcast-timing: live-broadcast's timing pipeline).
            """
    )
    var pipeline: String

    @Argument(help: "The stage whose output to print, as `flowrun check` lists it (e.g. decode).")
    var stage: String

    @OptionGroup var instance: InstanceOptions

    @Option(help: "Stop after this many items.")
    var limit: Int?

    @Option(help: "Stop after this many seconds (at most 3600).")
    var duration: Double = 10

    func validate() throws {
        if let limit = self.limit, limit < 1 { throw ValidationError("--limit is a number of items ≥ 1") }
        guard self.duration > 0, self.duration <= 3600 else {
            throw ValidationError("--duration is a number of seconds > 0 and at most 3600")
        }
    }

    func run() async throws {
        let url = try self.tapURL()
        try await InstanceOptions.withClient { client in try await self.tap(url, with: client) }
    }

    private func tap(_ url: String, with client: HTTPClient) async throws {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(
                HTTPClientRequest(url: url),
                timeout: .seconds(Int64(self.duration.rounded(.up)) + 30)
            )
        } catch {
            throw InstanceOptions.unreachable(self.instance.url, error)
        }
        guard response.status == .ok else {
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            throw CommandFailure(Self.refusal(status: Int(response.status.code), body: body, url: url))
        }
        var reader = TapStreamReader()
        do {
            for try await buffer in response.body {
                let output = reader.read(buffer)
                // Whoever read the items has gone (`| head -5`): stop quietly; the tap ends with the request.
                if !output.items.isEmpty, !Terminal.write(output.items) { return }
                if !output.notes.isEmpty { Self.note(output.notes) }
            }
        } catch {
            throw CommandFailure("the tap at \(url) broke off: \(error) (did flowrun stop?)")
        }
        guard reader.ended else {
            throw CommandFailure("the tap at \(url) ended before flowrun said why (did flowrun stop?)")
        }
    }

    /// `<url>/tap?pipeline=…&stage=…&duration=…[&limit=…]`.
    private func tapURL() throws -> String {
        guard var components = URLComponents(string: InstanceOptions.endpoint("/tap", of: self.instance.url)) else {
            throw ValidationError("--url must look like http://HOST:PORT, not '\(self.instance.url)'")
        }
        var query = [
            URLQueryItem(name: "pipeline", value: self.pipeline), URLQueryItem(name: "stage", value: self.stage),
            URLQueryItem(
                name: "duration",
                value: self.duration == self.duration.rounded() ? "\(Int(self.duration))" : "\(self.duration)"
            ),
        ]
        if let limit = self.limit { query.append(URLQueryItem(name: "limit", value: "\(limit)")) }
        components.queryItems = query
        return components.string ?? self.instance.url
    }

    /// What to say when flowrun did not start the tap: its own explanation (`{"error": …}`), or the answer.
    static func refusal(status: Int, body: String, url: String) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let message = object["error"] as? String
        {
            return message
        }
        return "\(url) answered HTTP \(status): \(body.trimmingCharacters(in: .whitespacesAndNewlines))\n"
            + "is this flowrun's operations port (http.port / HTTP_PORT), of a flowrun with /tap?"
    }

    private static func note(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
