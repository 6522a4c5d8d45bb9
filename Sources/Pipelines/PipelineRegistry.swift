import Flow
import ServiceLifecycle

/// Maps a pipeline's name in `pipelines.yaml` to the code that builds it.
///
/// Each pipeline registers a builder under its name; `flowrun` builds the ones a configuration enables
/// and runs them as services. An unknown name is an error that lists the known ones.
public struct PipelineRegistry: Sendable {
    public typealias Builder = @Sendable () throws -> any Service

    private var builders: [String: Builder] = [:]

    public init() {}

    /// The pipelines flowrun ships with (none yet: durable-write and live-broadcast come next).
    public static var standard: PipelineRegistry { PipelineRegistry() }

    public var names: [String] { self.builders.keys.sorted() }

    public mutating func register(_ name: String, _ builder: @escaping Builder) {
        self.builders[name] = builder
    }

    public func build(_ name: String) throws -> any Service {
        guard let builder = self.builders[name] else {
            throw UnknownPipelineError(name: name, known: self.names)
        }
        return try builder()
    }
}

public struct UnknownPipelineError: Error, CustomStringConvertible {
    public var name: String
    public var known: [String]

    public var description: String {
        let known = self.known.isEmpty ? "none are registered yet" : "known: \(self.known.joined(separator: ", "))"
        return "unknown pipeline '\(self.name)' (\(known))"
    }
}
