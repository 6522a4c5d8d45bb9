import Foundation

/// Everything `pipelines.yaml` configures: this instance's identity, its Redis and PostgreSQL servers, the
/// HTTP port for metrics and health, logging, shutdown, and the pipelines it runs.
///
/// Every property has a default, so `FlowrunConfiguration()` is what an empty file gives. Load a file with
/// ``ConfigurationLoader/load(path:environment:)``; the example `pipelines.yaml` documents each key.
///
/// - Important: A pipeline absent from the file is disabled; a pipeline whose section is present is enabled
///   unless its section says `enabled: false`.
public struct FlowrunConfiguration: Sendable, Equatable {
    /// This instance's id (`instance`): its consumer name in every consumer group, so a restarted instance
    /// finds its own pending entries. Keep it stable per instance. Default: `local-1`.
    public var instance: String = "local-1"
    /// The Redis server holding the telemetry stream (`redis`).
    public var redis = Redis()
    /// The PostgreSQL server positions are written to (`postgres`).
    public var postgres = Postgres()
    /// The HTTP server for metrics and health checks (`http`).
    public var http = HTTP()
    /// Logging (`log`).
    public var log = Log()
    /// Graceful shutdown (`shutdown`).
    public var shutdown = Shutdown()
    /// The pipelines and their settings (`pipelines`).
    public var pipelines = Pipelines()

    /// A configuration with every default: what an empty file gives (no pipeline enabled).
    public init() {}

    /// The names of the enabled pipelines, in their fixed order: `durable-write`, then `live-broadcast`.
    public var enabledPipelines: [String] {
        var names: [String] = []
        if self.pipelines.durableWrite.enabled { names.append(Pipelines.DurableWrite.name) }
        if self.pipelines.liveBroadcast.enabled { names.append(Pipelines.LiveBroadcast.name) }
        return names
    }

    /// The Redis server (`redis`).
    public struct Redis: Sendable, Equatable {
        /// `redis.url`: a `redis://` URL. Default: `redis://127.0.0.1:16379`.
        public var url = URL(string: "redis://127.0.0.1:16379")!

        public init() {}
    }

    /// The PostgreSQL server (`postgres`).
    public struct Postgres: Sendable, Equatable {
        /// `postgres.url`: a `postgresql://` or `postgres://` URL, as libpq accepts it.
        /// Default: `postgresql://flowrun@127.0.0.1:15432/flowrun`.
        public var url = URL(string: "postgresql://flowrun@127.0.0.1:15432/flowrun")!

        public init() {}
    }

    /// The HTTP server for `/metrics`, `/healthz`, `/readyz` and `/tap` (`http`).
    public struct HTTP: Sendable, Equatable {
        /// `http.port`: the port to listen on, 0–65535; 0 binds any free port. Default: 9090.
        public var port = 9090

        public init() {}
    }

    /// Logging (`log`).
    public struct Log: Sendable, Equatable {
        /// `log.level`: the lowest level logged. Default: ``Level/info``.
        public var level = Level.info
        /// `log.format`: how each record is written. Default: ``Format/text``.
        public var format = Format.text

        public init() {}

        /// A log level; the names are those of swift-log's `Logger.Level`.
        public enum Level: String, Sendable, CaseIterable {
            case trace, debug, info, notice, warning, error, critical
        }

        /// How log records are written.
        public enum Format: String, Sendable, CaseIterable {
            /// One human-readable line per record.
            case text
            /// One JSON object per line.
            case json
        }
    }

    /// Graceful shutdown (`shutdown`).
    public struct Shutdown: Sendable, Equatable {
        /// `shutdown.drain_timeout`: how long a drain on SIGTERM may take before what is still in flight is
        /// cancelled (it stays pending in the stream, so nothing is lost). Zero cancels at once. Default: 30 s.
        public var drainTimeout: Duration = .seconds(30)

        public init() {}
    }

    /// The pipelines this instance can run (`pipelines`), each with its settings.
    ///
    /// - Important: A pipeline absent from the file is disabled, so `Pipelines()` enables none. A pipeline
    ///   whose section is present starts from its own `init()` defaults, which are enabled.
    public struct Pipelines: Sendable, Equatable {
        /// `pipelines.durable-write`. Default: the pipeline's defaults, disabled (absent from the file).
        public var durableWrite = DurableWrite(enabled: false)
        /// `pipelines.live-broadcast`. Default: the pipeline's defaults, disabled (absent from the file).
        public var liveBroadcast = LiveBroadcast(enabled: false)

        /// The names of the pipelines a file may configure, in order.
        public static let names = [DurableWrite.name, LiveBroadcast.name]

        public init() {}
    }
}
