import Flow
import ServiceLifecycle

/// A pipeline flowrun can run: a service around its Flow ``Pipeline``.
public protocol RegisteredPipeline: Service {
    var pipeline: Pipeline<Never> { get }

    /// What stopping the pipeline now, without finishing its drain, leaves undone, said for an operator: what
    /// flowrun logs when a second signal or the drain deadline stops it.
    var abandonedIfStoppedNow: String { get }
}

extension DurableWrite: RegisteredPipeline {}
extension LiveBroadcast: RegisteredPipeline {}

/// The pipelines flowrun knows, by their name in `pipelines.yaml`: whether a configuration enables each,
/// how to build it, and what it reads and serves. The one place that lists them: `flowrun run` (through
/// ``PipelineSupervisor``, which also hands `/tap` the running pipelines' taps), `flowrun check` and
/// `flowrun top` all go through it.
public enum PipelineRegistry {
    /// Every known pipeline, in the order they start and are listed.
    public static let names = [DurableWrite.name, LiveBroadcast.name]

    public static func isEnabled(_ name: String, in configuration: FlowrunConfiguration) -> Bool {
        switch name {
        case DurableWrite.name: configuration.pipelines.durableWrite.enabled
        case LiveBroadcast.name: configuration.pipelines.liveBroadcast.enabled
        default: false
        }
    }

    /// Builds the pipeline named `name` (one of ``names``); it connects to nothing before it runs. Throws
    /// when a connection URL cannot be used.
    public static func make(
        _ name: String,
        configuration: FlowrunConfiguration,
        flow: PipelineConfiguration
    ) throws -> any RegisteredPipeline {
        switch name {
        case DurableWrite.name: try DurableWrite(configuration: configuration, flow: flow)
        case LiveBroadcast.name: try LiveBroadcast(configuration: configuration, flow: flow)
        default: preconditionFailure("unknown pipeline \(name); known: \(Self.names)")
        }
    }

    /// What the pipeline reads and serves, for the start-up log and `flowrun check`: stream, group,
    /// consumer, and the pipeline's own (dead-letter stream; WebSocket port and CMS).
    public static func summary(
        of name: String,
        in configuration: FlowrunConfiguration
    ) -> KeyValuePairs<
        String, String
    > {
        switch name {
        case DurableWrite.name:
            let settings = configuration.pipelines.durableWrite
            return [
                "stream": settings.stream, "group": settings.group, "consumer": configuration.instance,
                "dead_letter_stream": settings.deadLetterStreamName,
            ]
        case LiveBroadcast.name:
            let settings = configuration.pipelines.liveBroadcast
            return [
                "stream": settings.stream, "group": settings.group(instance: configuration.instance),
                "consumer": configuration.instance, "port": "\(settings.port)", "cms": "\(settings.cmsURL)",
            ]
        default:
            return [:]
        }
    }

    /// Everything the pipeline runs with, as text: a pipeline whose text changes must restart to apply it.
    static func fingerprint(of name: String, in configuration: FlowrunConfiguration) -> String {
        let shared =
            "\(configuration.instance)|\(configuration.redis)|\(configuration.postgres)|\(configuration.shutdown)"
        switch name {
        case DurableWrite.name: return shared + "|\(configuration.pipelines.durableWrite)"
        case LiveBroadcast.name: return shared + "|\(configuration.pipelines.liveBroadcast)"
        default: return shared
        }
    }
}
