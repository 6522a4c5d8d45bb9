import Stages

/// What `/readyz` answers: whether this instance is ready for work, and why not.
///
/// Ready means: Redis answered its last check, PostgreSQL answered its last check, both checks are recent,
/// and every pipeline is ``PipelineState/running``.
public struct ReadinessReport: Sendable, Equatable {
    /// A server's last check.
    public enum ServerStatus: Sendable, Equatable {
        /// It answered.
        case ok
        /// Not checked yet, or the last check is too old to trust.
        case unknown(String)
        /// It did not answer; the text says how (one line).
        case failed(String)
    }

    /// A pipeline's state.
    public struct Pipeline: Sendable, Equatable {
        public var name: String
        public var state: PipelineState
    }

    public var redis: ServerStatus
    public var postgres: ServerStatus
    /// Every pipeline of the run, in the order they were registered.
    public var pipelines: [Pipeline]

    public var isReady: Bool { self.problems.isEmpty }

    /// One line per problem, prefixed with what it is about: `redis: …`, `postgres: …`,
    /// `pipeline live-broadcast: starting`.
    public var problems: [String] {
        var problems: [String] = []
        for (name, status) in [("redis", self.redis), ("postgres", self.postgres)] {
            switch status {
            case .ok: break
            case .unknown(let text), .failed(let text): problems.append("\(name): \(text)")
            }
        }
        for pipeline in self.pipelines where !pipeline.state.isRunning {
            problems.append("pipeline \(pipeline.name): \(pipeline.state)")
        }
        return problems
    }

    /// The body of `/readyz`, one line of JSON:
    ///
    /// ```
    /// {"ready":true,"checks":{"redis":"ok","postgres":"ok","pipelines":{"durable-write":"running"}}}
    /// {"ready":false,"problems":["postgres: cannot connect to …"],"checks":{"redis":"ok","postgres":"cannot …",…}}
    /// ```
    public var json: String {
        func text(_ status: ServerStatus) -> String {
            switch status {
            case .ok: "ok"
            case .unknown(let text), .failed(let text): text
            }
        }
        let pipelines = self.pipelines.map {
            "\(JSONString.quoted($0.name)):\(JSONString.quoted($0.state.description))"
        }
        let checks =
            "{\"redis\":\(JSONString.quoted(text(self.redis))),\"postgres\":\(JSONString.quoted(text(self.postgres))),"
            + "\"pipelines\":{\(pipelines.joined(separator: ","))}}"
        let problems = self.problems
        if problems.isEmpty { return "{\"ready\":true,\"checks\":\(checks)}" }
        let list = problems.map(JSONString.quoted).joined(separator: ",")
        return "{\"ready\":false,\"problems\":[\(list)],\"checks\":\(checks)}"
    }
}
