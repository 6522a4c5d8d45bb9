import Flow
import Foundation
import Stages

/// Everything `pipelines.yaml` configures: this instance's identity, its Redis and PostgreSQL servers, the
/// HTTP port for metrics and health, logging, shutdown, the faulty-fix thresholds, and the pipelines it runs.
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
    /// The thresholds of the faulty-fix rules (`faults`, CONTRACT §6.2), used by every pipeline that judges
    /// positions. Defaults: ``Stages/FaultThresholds/defaults``.
    public var faults = FaultThresholds.defaults
    /// The pipelines and their settings (`pipelines`).
    public var pipelines = Pipelines()

    /// A configuration with every default: what an empty file gives (no pipeline enabled).
    public init() {}

    /// The names of the enabled pipelines, in the registry's order (``PipelineRegistry/kinds``).
    public var enabledPipelines: [String] {
        PipelineRegistry.enabled(in: self).map { $0.name }
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
        /// `postgres.chunk_interval`: the time range of each chunk of the `positions` hypertable, where
        /// TimescaleDB runs (migration 0006, and at each start for the chunks created after it). Default: 1 day.
        public var chunkInterval = Duration.seconds(86_400)
        /// `postgres.compress_after`: chunks of the `positions` hypertable whose newest time is older than
        /// this are compressed by TimescaleDB's compression policy (``Stages/PositionsLifecycle``); `off`
        /// (nil) removes the policy. Default: off.
        public var compressAfter: Duration? = nil
        /// `postgres.retention`: chunks of the `positions` hypertable whose newest time is older than this
        /// are dropped by TimescaleDB's retention policy; `off` (nil) removes the policy. Default: off.
        public var retention: Duration? = nil

        public init() {}

        /// The lifecycle policies these settings ask for, as PostgreSQL intervals.
        public var lifecycle: PositionsLifecycle.Policies {
            PositionsLifecycle.Policies(
                compressAfter: self.compressAfter.map(PostgresInterval.text),
                retention: self.retention.map(PostgresInterval.text)
            )
        }

        /// The settings migrations read (``Stages/Migrator``): `flowrun.chunk_interval` as a PostgreSQL
        /// interval.
        public var migrationSettings: [String: String] {
            ["flowrun.chunk_interval": PostgresInterval.text(self.chunkInterval)]
        }
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
        public var drainTimeout = PipelineConfiguration.defaultDrainTimeout

        public init() {}
    }

    /// The pipelines this instance can run (`pipelines`), each with its settings, by kind:
    /// `configuration.pipelines[DurableWrite.self]` (or the shorthand `configuration.pipelines.durableWrite`).
    ///
    /// - Important: A pipeline absent from the file is disabled, so `Pipelines()` enables none. A pipeline
    ///   whose section is present starts from its settings' `init()` defaults, which are enabled.
    public struct Pipelines: Sendable, Equatable {
        /// The sections set, by pipeline name; a kind without one has its defaults, disabled.
        private var sections: [String: AnyPipelineSettings] = [:]

        public init() {}

        /// The settings of pipeline `kind`.
        public subscript<Kind: PipelineKind>(kind: Kind.Type) -> Kind.Settings {
            get {
                if let section = self.sections[Kind.name]?.value as? Kind.Settings { return section }
                var absent = Kind.Settings()
                absent.enabled = false
                return absent
            }
            set { self.sections[Kind.name] = AnyPipelineSettings(newValue) }
        }

        /// The names of the pipelines a file may configure, in order.
        public static var names: [String] { PipelineRegistry.names }

        public static func == (a: Self, b: Self) -> Bool {
            PipelineRegistry.kinds.allSatisfy { kind in kind.sameSettings(in: a, b) }
        }
    }
}

extension PipelineKind {
    /// Whether `a` and `b` hold the same settings for this kind (absent counts as its disabled defaults).
    static func sameSettings(in a: FlowrunConfiguration.Pipelines, _ b: FlowrunConfiguration.Pipelines) -> Bool {
        a[Self.self] == b[Self.self]
    }
}
