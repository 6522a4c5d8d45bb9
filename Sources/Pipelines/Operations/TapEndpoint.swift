import Flow
import Hummingbird
import Stages

/// `GET /tap?pipeline=P&stage=S[&limit=N][&duration=SECONDS]`: the items leaving a stage of a running
/// pipeline, as JSON lines, while it runs (what `flowrun tap` reads).
///
/// | answer | when |
/// |---|---|
/// | 200, `application/x-ndjson`, streamed | the stage exists and sends items; the lines below |
/// | 400, JSON `{"error":…}` | a parameter is missing or wrong, or the stage is a sink |
/// | 404, JSON `{"error":…,"pipelines":{"durable-write":["stream-source",…],…}}` | no such pipeline runs here, or it has no such stage |
///
/// The lines of a 200, each one JSON object:
///
/// ```
/// {"tap":{"pipeline":"durable-write","stage":"decode","output":"PositionEntry","limit":5,"duration":10}}
/// {"item":{"entry_id":"1714667812123-0","device_id":"356307042441013",…}}
/// {"dropped":120}
/// {"end":"limit","items":5,"dropped":120}
/// ```
///
/// `tap` comes first, once subscribed: only items leaving the stage after it are shown. Each `item` is an
/// item as its type renders it (``CustomTapRepresentation``). `dropped` says how many items were not sent
/// because this client read too slowly. `end` comes last: `limit` (`limit` items sent), `duration` (after
/// `duration` seconds, default 10, at most 3600) or `pipeline-stopped` (it drained, failed or was restarted
/// by a reload).
///
/// - Important: A tap client never slows the pipeline: what waits for it is bounded (``buffer`` items) and
///   the rest is dropped and counted. A client that disconnects ends its subscription at its next write.
struct TapEndpoint: Sendable {
    /// Items rendered and waiting for one client before more are dropped.
    static let buffer = 1_000
    static let defaultDuration = 10.0
    static let maximumDuration = 3_600.0

    /// The pipelines running now.
    let taps: @Sendable () -> [PipelineTaps]

    func respond(to request: Request) -> Response {
        let query = request.uri.queryParameters
        let parameters: Parameters
        do {
            parameters = try Parameters(
                pipeline: query["pipeline"].map(String.init),
                stage: query["stage"].map(String.init),
                limit: query["limit"].map(String.init),
                duration: query["duration"].map(String.init)
            )
        } catch {
            return Self.error(.badRequest, error.message)
        }
        let running = self.taps()
        guard let pipeline = running.first(where: { $0.pipeline == parameters.pipeline }) else {
            let known = PipelineRegistry.names.contains(parameters.pipeline)
            let why =
                known
                ? "pipeline '\(parameters.pipeline)' is not running on this instance (is it enabled in pipelines.yaml?)"
                : "there is no pipeline '\(parameters.pipeline)'"
            return Self.error(.notFound, why + ". " + Self.listing(running), pipelines: running)
        }
        guard let tap = pipeline[parameters.stage] else {
            let why = "pipeline \(pipeline.pipeline) has no stage '\(parameters.stage)'"
            return Self.error(.notFound, why + ". " + Self.listing(running), pipelines: running)
        }
        guard tap.sendsItems else {
            let tappable = pipeline.stages.filter(\.sendsItems).map(\.stage).joined(separator: ", ")
            return Self.error(
                .badRequest,
                "stage \(tap.stage) of \(tap.pipeline) is a sink: no item leaves it (tap the stage before it to see"
                    + " what it receives). Stages of \(tap.pipeline) with items to tap: \(tappable)"
            )
        }
        let subscription = tap.subscribe(limit: parameters.limit, buffer: Self.buffer)
        let opening = Self.openingLine(tap, parameters)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[.cacheControl] = "no-store"
        let body = ResponseBody { writer in
            try await Self.stream(subscription, opening: opening, for: parameters.duration, to: &writer)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Writes the opening line, the items as they come, and the closing line; ends the subscription when the
    /// client goes away.
    private static func stream(
        _ subscription: TapSubscription,
        opening: String,
        for duration: Double,
        to writer: inout any ResponseBodyWriter
    ) async throws {
        do {
            try await writer.write(ByteBuffer(string: opening))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(duration * 1000)))
                    subscription.finish()
                }
                defer { group.cancelAll() }
                for await chunk in subscription {
                    var buffer = ByteBuffer()
                    if chunk.dropped > 0 { buffer.writeString("{\"dropped\":\(chunk.dropped)}\n") }
                    for item in chunk.items {
                        buffer.writeStaticString("{\"item\":")
                        buffer.writeString(item)
                        buffer.writeStaticString("}\n")
                    }
                    try await writer.write(buffer)
                }
            }
        } catch {
            subscription.finish()
            throw error
        }
        let end =
            switch subscription.end {
            case .limitReached: "limit"
            case .pipelineStopped: "pipeline-stopped"
            case .finished, nil: "duration"
            }
        try await writer.write(
            ByteBuffer(
                string: "{\"end\":\"\(end)\",\"items\":\(subscription.taken),\"dropped\":\(subscription.dropped)}\n"
            )
        )
        try await writer.finish(nil)
    }

    private static func openingLine(_ tap: StageTap, _ parameters: Parameters) -> String {
        let limit = parameters.limit.map(String.init) ?? "null"
        return "{\"tap\":{\"pipeline\":\(JSONString.quoted(tap.pipeline)),\"stage\":\(JSONString.quoted(tap.stage)),"
            + "\"output\":\(JSONString.quoted(tap.outputType)),\"limit\":\(limit),"
            + "\"duration\":\(Parameters.seconds(parameters.duration))}}\n"
    }

    /// What can be tapped here, for an error message.
    private static func listing(_ running: [PipelineTaps]) -> String {
        guard !running.isEmpty else { return "No pipeline is running on this instance." }
        let lines = running.map { "  \($0.pipeline): \($0.stageNames.joined(separator: ", "))" }
        return "The stages of the pipelines running here:\n" + lines.joined(separator: "\n")
    }

    private static func error(
        _ status: HTTPResponse.Status,
        _ message: String,
        pipelines: [PipelineTaps]? = nil
    ) -> Response {
        var json = "{\"error\":\(JSONString.quoted(message))"
        if let pipelines {
            let members = pipelines.map { taps in
                JSONString.quoted(taps.pipeline) + ":[" + taps.stageNames.map(JSONString.quoted).joined(separator: ",")
                    + "]"
            }
            json += ",\"pipelines\":{\(members.joined(separator: ","))}"
        }
        return OperationsResponder.response(status, "application/json", Array((json + "}\n").utf8))
    }
}

extension TapEndpoint {
    /// The query of a `/tap` request, checked.
    struct Parameters: Sendable {
        var pipeline: String
        var stage: String
        var limit: Int?
        /// Seconds.
        var duration: Double

        struct Invalid: Error {
            var message: String
        }

        init(pipeline: String?, stage: String?, limit: String?, duration: String?) throws(Invalid) {
            guard let pipeline, !pipeline.isEmpty, let stage, !stage.isEmpty else {
                throw Invalid(
                    message: "name the pipeline and the stage to tap: /tap?pipeline=durable-write&stage=decode"
                        + " (optional: &limit=N items, &duration=S seconds)"
                )
            }
            self.pipeline = pipeline
            self.stage = stage
            if let limit {
                guard let value = Int(limit), value >= 1 else {
                    throw Invalid(message: "limit is a number of items ≥ 1 (got '\(limit)')")
                }
                self.limit = value
            }
            self.duration = TapEndpoint.defaultDuration
            if let duration {
                guard let value = Double(duration), value > 0, value <= TapEndpoint.maximumDuration else {
                    throw Invalid(
                        message: "duration is a number of seconds > 0 and at most"
                            + " \(Self.seconds(TapEndpoint.maximumDuration)) (got '\(duration)')"
                    )
                }
                self.duration = value
            }
        }

        /// `10`, `2.5`.
        static func seconds(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
    }
}
