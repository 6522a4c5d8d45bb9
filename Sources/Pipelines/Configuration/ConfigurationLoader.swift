import Foundation
import Yams

/// Loads `pipelines.yaml` into a ``FlowrunConfiguration``.
///
/// Every scalar value may refer to the environment: `${NAME}`, `${NAME:-default}` (the default when `NAME`
/// is unset or empty), and `$$` for a literal `$`; keys never do. Every key is optional; an unknown key, a
/// value of the wrong kind, or an unset variable without a default is an error naming the file, line,
/// column and key path, and all of a file's problems are reported together.
public enum ConfigurationLoader {
    /// Reads and loads the file at `path`, interpolating from `environment` (usually
    /// `ProcessInfo.processInfo.environment`).
    public static func load(
        path: String,
        environment: [String: String]
    ) throws(ConfigurationError) -> FlowrunConfiguration {
        func failure(_ message: String) -> ConfigurationError {
            ConfigurationError(problems: [.init(file: path, line: nil, column: nil, keyPath: "", message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("no such file; pass the path of a pipelines.yaml")
        }
        guard !isDirectory.boolValue else { throw failure("is a directory, not a configuration file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot read the file; check its permissions")
        }
        guard let yaml = String(data: data, encoding: .utf8) else { throw failure("is not UTF-8 text") }
        return try Self.load(yaml: yaml, file: path, environment: environment)
    }

    /// Loads configuration text; `file` names it in problems.
    public static func load(
        yaml: String,
        file: String,
        environment: [String: String]
    ) throws(ConfigurationError) -> FlowrunConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(problems: [Self.problem(syntax: error, file: file, yaml: yaml)])
        }
        var configuration = FlowrunConfiguration()
        let reader = ConfigurationReader(file: file, environment: environment)
        if let root {
            reader.read(root, into: &configuration, fields: FlowrunConfiguration.fields, at: "")
        }
        guard reader.problems.isEmpty else { throw ConfigurationError(problems: reader.problems) }
        return configuration
    }

    /// A YAML syntax error, at the line and column Yams gives.
    private static func problem(syntax error: any Error, file: String, yaml: String) -> ConfigurationError.Problem {
        func problem(_ place: (line: Int, column: Int)?, _ message: String) -> ConfigurationError.Problem {
            .init(file: file, line: place?.line, column: place?.column, keyPath: "", message: message)
        }
        func syntax(_ context: YamlError.Context?, _ problem: String) -> String {
            guard let context else { return "invalid YAML: \(problem)" }
            guard context.text.hasPrefix("while") else { return "invalid YAML: \(context.text), \(problem)" }
            let place = "line \(context.mark.line), column \(context.mark.column)"
            return "invalid YAML: \(problem) (\(context.text) at \(place))"
        }
        switch error as? YamlError {
        case .scanner(let context, let message, let mark, _), .parser(let context, let message, let mark, _),
            .composer(let context, let message, let mark, _):
            return problem((mark.line, mark.column), syntax(context, message))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return problem(
                (context.mark.line, context.mark.column),
                "invalid YAML: duplicate key \(keys) in one mapping"
            )
        case .reader(let message, let offset, _, _):
            let place = offset.map { offset in
                let lines = yaml.prefix(offset).split(separator: "\n", omittingEmptySubsequences: false)
                return (line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
            }
            return problem(place, "invalid YAML: \(message)")
        default:
            return problem(nil, "invalid YAML: \(error)")
        }
    }
}
