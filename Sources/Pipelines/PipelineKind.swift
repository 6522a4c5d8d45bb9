import Flow
import Logging
import ServiceLifecycle
import Stages

/// A kind of pipeline flowrun runs, all in one type: its name and configuration section (``Settings``), how
/// it is built from a configuration, and what it says about itself (what it reads and serves, its progress,
/// when it serves, what a forced stop abandons). An instance is one built pipeline with its connections,
/// run as a `Service` by ``PipelineSupervisor``.
///
/// Adding a pipeline is a new file with a type conforming to this, and one line in
/// ``PipelineRegistry/kinds``: the configuration file, `flowrun run`, `check`, `top`, `/tap`, `/readyz` and
/// SIGHUP reloads all go through the registry.
///
/// - Important: `init` builds the pipeline but opens no connection and starts no thread: clients connect
///   and servers bind in ``run()``. So `flowrun check` can build every pipeline to print its stages, and a
///   pipeline that fails can be built again to restart it.
public protocol PipelineKind: Service {
    /// The pipeline's section under `pipelines:` in `pipelines.yaml`.
    associatedtype Settings: PipelineSettings

    /// Its name in `pipelines.yaml`, logs, metric labels and taps, e.g. `durable-write`.
    static var name: String { get }

    /// Builds the pipeline `configuration` describes (its section and the shared settings: instance, Redis,
    /// PostgreSQL, shutdown). Throws when a setting cannot be used (a connection URL).
    init(configuration: FlowrunConfiguration, flow: PipelineConfiguration) throws

    /// The stages, joined.
    var pipeline: Pipeline<Never> { get }

    /// The tap points of every Flow pipeline this runs, for `/tap` and `flowrun tap` (default: ``pipeline``'s);
    /// one that runs a second pipeline beside it (live-broadcast's `live-broadcast-timing`) lists it too.
    var taps: [PipelineTaps] { get }

    /// Returns once the pipeline serves (default: at once, once ``run()`` began); live-broadcast serves once
    /// its WebSocket port is bound. Throws `CancellationError` when cancelled first.
    func serving() async throws

    /// What stopping the pipeline now, without finishing its drain, leaves undone, said for an operator: what
    /// flowrun logs when a second signal or the drain deadline stops it.
    var abandonedIfStoppedNow: String { get }

    /// The progress line's count (what it stored or sent since it started) and the line itself, given the
    /// rate per second the supervisor worked out from the previous count.
    var progress: (count: Int, line: @Sendable (_ perSecond: Int) -> String) { get }

    /// What the pipeline reads and serves, for the start-up log and `flowrun check`: stream, group, consumer,
    /// and its own (dead-letter stream; WebSocket port and CMS).
    static func summary(of configuration: FlowrunConfiguration) -> KeyValuePairs<String, String>
}

extension PipelineKind {
    public func serving() async throws {}

    public var taps: [PipelineTaps] { [self.pipeline.taps] }

    /// This kind's section of `configuration` (disabled defaults when the file has none).
    public static func settings(in configuration: FlowrunConfiguration) -> Settings {
        configuration.pipelines[Self.self]
    }

    /// The stage names of each Flow pipeline `configuration` describes (``taps``: the kind's own first, then
    /// any it runs beside it, e.g. `live-broadcast-timing`), built as `flowrun check` builds them: no
    /// connection is opened, no thread started.
    public static func stageNames(
        in configuration: FlowrunConfiguration
    ) throws -> [(pipeline: String, stages: [String])] {
        var flow = PipelineConfiguration()
        flow.logger = Logger(label: Self.name, factory: { _ in SwiftLogNoOpLogHandler() })
        return try Self(configuration: configuration, flow: flow).taps.map { ($0.pipeline, $0.stageNames) }
    }

    /// Everything the pipeline runs with: its section and the shared settings. A pipeline whose value changes
    /// restarts to apply it.
    static func runsWith(_ configuration: FlowrunConfiguration) -> PipelineRunSettings {
        PipelineRunSettings(
            instance: configuration.instance,
            redis: configuration.redis,
            postgres: configuration.postgres,
            shutdown: configuration.shutdown,
            faults: configuration.faults,
            section: AnyPipelineSettings(Self.settings(in: configuration))
        )
    }
}

/// One pipeline's section of `pipelines.yaml`: its keys (``fields``) and their defaults (`init()`: the
/// defaults of a section that is present, so enabled).
public protocol PipelineSettings: Sendable, Equatable {
    /// `enabled`: whether this instance runs the pipeline.
    var enabled: Bool { get set }

    /// The defaults of a section present in the file: enabled, every other key at its default.
    init()

    /// The section's keys and how each is read.
    static var fields: [ConfigurationField<Self>] { get }
}

/// What one pipeline runs with, compared to tell whether a new configuration changes it.
struct PipelineRunSettings: Equatable, Sendable {
    var instance: String
    var redis: FlowrunConfiguration.Redis
    var postgres: FlowrunConfiguration.Postgres
    var shutdown: FlowrunConfiguration.Shutdown
    var faults: FaultThresholds
    var section: AnyPipelineSettings
}

/// Some pipeline's settings, compared as their own type.
struct AnyPipelineSettings: Equatable, Sendable {
    let value: any PipelineSettings

    init(_ value: some PipelineSettings) {
        self.value = value
    }

    static func == (a: Self, b: Self) -> Bool {
        func equal<Settings: PipelineSettings>(_ a: Settings, _ b: any PipelineSettings) -> Bool {
            (b as? Settings) == a
        }
        return equal(a.value, b.value)
    }
}
