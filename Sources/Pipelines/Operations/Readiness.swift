import Logging
import ServiceLifecycle
import Stages
import Synchronization

/// Whether this instance is ready for work: the state of every pipeline, set by whoever runs them, and the
/// last answers of Redis (`PING`) and PostgreSQL (`SELECT 1`), asked in the background.
///
/// Run it as a `Service` (``run()``): every ``Configuration-swift.struct/interval`` it checks both servers at
/// once, each on a dedicated connection named `ops-check` and bounded by
/// ``Configuration-swift.struct/timeout``, and caches the answers. ``report`` reads the cache, so a
/// `/readyz` request never waits for a server.
///
/// - Important: Thread-safe; every method may be called from any task. A check never takes much longer than
///   its timeout, even against a server that accepts connections and never answers (see ``ServerCheck``),
///   and an answer older than two rounds no longer counts as ready, so a stalled or stopped checker shows
///   as not ready instead of as the last good answer.
public final class Readiness: Service, Sendable {
    /// How often and how patiently the servers are checked.
    public struct Configuration: Sendable, Equatable {
        /// Time between the end of one round of checks and the next. Default: 2 s.
        public var interval: Duration
        /// How long a server may take to answer before it counts as not ready. Default: 1 s.
        public var timeout: Duration

        public init(interval: Duration = .seconds(2), timeout: Duration = .seconds(1)) {
            self.interval = interval
            self.timeout = timeout
        }

        /// How old an answer may be and still count: two rounds.
        var maxAge: Duration { (self.interval + self.timeout) * 2 }
    }

    public let configuration: Configuration
    private let redis: ServerCheck
    private let postgres: ServerCheck
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var pipelines: [(name: String, state: PipelineState)]
        var redis: Answer?
        var postgres: Answer?
    }

    /// A server's last answer: nil problem when it answered as expected.
    private struct Answer {
        var problem: String?
        var at: ContinuousClock.Instant
    }

    /// - Parameters:
    ///   - pipelines: The pipelines that must run for the instance to be ready; each starts ``PipelineState/starting``.
    /// - Throws: ``RedisError`` when `redisURL` is not a `redis://` URL.
    public init(
        redisURL: String,
        postgresURL: String,
        pipelines: [String],
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "flowrun.readiness")
    ) throws(RedisError) {
        self.configuration = configuration
        self.redis = try ServerCheck.redis(url: redisURL, timeout: configuration.timeout)
        self.postgres = ServerCheck.postgres(url: postgresURL, timeout: configuration.timeout)
        self.logger = logger
        self.state = Mutex(State(pipelines: pipelines.map { ($0, .starting) }))
    }

    /// Checks `configuration`'s Redis and PostgreSQL, and expects its enabled pipelines to run.
    public convenience init(
        _ configuration: FlowrunConfiguration,
        checks: Configuration = Configuration(),
        logger: Logger = Logger(label: "flowrun.readiness")
    ) throws(RedisError) {
        try self.init(
            redisURL: configuration.redis.url.absoluteString,
            postgresURL: configuration.postgres.url.absoluteString,
            pipelines: configuration.enabledPipelines,
            configuration: checks,
            logger: logger
        )
    }

    // MARK: - Pipelines

    /// Sets a pipeline's state (adding the pipeline if it is not known yet).
    public func set(_ state: PipelineState, of pipeline: String) {
        self.state.withLock { all in
            if let index = all.pipelines.firstIndex(where: { $0.name == pipeline }) {
                all.pipelines[index].state = state
            } else {
                all.pipelines.append((pipeline, state))
            }
        }
    }

    /// Forgets a pipeline (one disabled by a configuration reload): it no longer counts for readiness.
    public func remove(_ pipeline: String) {
        self.state.withLock { all in all.pipelines.removeAll { $0.name == pipeline } }
    }

    /// Sets a pipeline's state to `new` only if it is `old` now; says whether it did.
    @discardableResult
    func advance(_ pipeline: String, from old: PipelineState, to new: PipelineState) -> Bool {
        self.state.withLock { all in
            guard let index = all.pipelines.firstIndex(where: { $0.name == pipeline }),
                all.pipelines[index].state == old
            else { return false }
            all.pipelines[index].state = new
            return true
        }
    }

    /// A pipeline's state; nil for one never registered or set.
    public func state(of pipeline: String) -> PipelineState? {
        self.state.withLock { all in all.pipelines.first { $0.name == pipeline }?.state }
    }

    // MARK: - Checks

    /// The cached state, as `/readyz` reports it. Never waits for a server.
    public var report: ReadinessReport {
        let now = ContinuousClock.now
        let maxAge = self.configuration.maxAge
        func status(_ answer: Answer?) -> ReadinessReport.ServerStatus {
            guard let answer else { return .unknown("not checked yet") }
            let age = answer.at.duration(to: now)
            if age > maxAge {
                return .unknown("last checked \(ServerCheck.text(age)) ago; the readiness checks are not running")
            }
            return answer.problem.map { .failed($0) } ?? .ok
        }
        return self.state.withLock { all in
            ReadinessReport(
                redis: status(all.redis),
                postgres: status(all.postgres),
                pipelines: all.pipelines.map { ReadinessReport.Pipeline(name: $0.name, state: $0.state) }
            )
        }
    }

    /// Checks both servers once, at the same time, and caches their answers; returns within about
    /// ``Configuration-swift.struct/timeout``.
    public func checkNow() async {
        async let redis = self.redis.check()
        async let postgres = self.postgres.check()
        let answers = await (redis: redis, postgres: postgres)
        let now = ContinuousClock.now
        let previous = self.state.withLock { all in
            defer {
                all.redis = Answer(problem: answers.redis, at: now)
                all.postgres = Answer(problem: answers.postgres, at: now)
            }
            return (redis: all.redis, postgres: all.postgres)
        }
        self.log(self.redis, previous.redis, answers.redis)
        self.log(self.postgres, previous.postgres, answers.postgres)
    }

    /// Checks every interval until a graceful shutdown or cancellation, then closes the check connections.
    public func run() async throws {
        let interval = self.configuration.interval
        try? await cancelWhenGracefulShutdown {
            var wasReady: Bool?
            while !Task.isCancelled {
                await self.checkNow()
                // The lifecycle, told once per change: ready (everything answers and runs), or not, and why.
                let report = self.report
                if report.isReady != wasReady {
                    if report.isReady {
                        self.logger.info("ready", metadata: ["pipelines": "\(report.pipelines.map(\.name))"])
                    } else if wasReady == true {
                        self.logger.warning("not ready", metadata: ["problems": "\(report.problems)"])
                    }
                    wasReady = report.isReady
                }
                try await Task.sleep(for: interval)
            }
        }
        await self.redis.close()
        await self.postgres.close()
    }

    /// Logs a server going from answering to not answering (warning) and back (info), once per change.
    private func log(_ check: ServerCheck, _ previous: Answer?, _ problem: String?) {
        let wasAnswering = previous.map { $0.problem == nil }
        if problem == nil, previous == nil {
            self.logger.info("connected", metadata: ["server": "\(check.name)", "endpoint": "\(check.endpoint)"])
        } else if let problem, wasAnswering != false {
            self.logger.warning(
                "readiness check failed",
                metadata: ["server": "\(check.name)", "endpoint": "\(check.endpoint)", "problem": "\(problem)"]
            )
        } else if problem == nil, wasAnswering == false {
            self.logger.info(
                "readiness check answered again",
                metadata: ["server": "\(check.name)", "endpoint": "\(check.endpoint)"]
            )
        }
    }
}
