import Yams

/// Walks a composed YAML tree against the schema (tables of ``ConfigurationField``), filling in the
/// configuration and collecting every problem with its line, column and key path instead of stopping at the
/// first.
final class ConfigurationReader {
    let file: String
    let environment: [String: String]
    private(set) var problems: [ConfigurationError.Problem] = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    func report(_ message: String, at mark: Mark?, path: String) {
        self.problems.append(
            .init(file: self.file, line: mark?.line, column: mark?.column, keyPath: path, message: message)
        )
    }

    /// Reads a mapping's keys into `value` with the field of each name; a null node (`key:` with nothing after
    /// it) is an empty mapping. Unknown keys are reported with the closest known one, if any is close.
    func read<Root>(
        _ node: Node,
        into value: inout Root,
        fields: [ConfigurationField<Root>],
        at path: String,
        noun: String = "key"
    ) {
        let known = fields.map(\.key)
        if Self.isNull(node) { return }
        guard case .mapping(let mapping) = node else {
            let expected = "a mapping (\(noun)s: \(known.joined(separator: ", ")))"
            self.report("expected \(expected), found \(Self.describe(node))", at: node.mark, path: path)
            return
        }
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else {
                self.report("expected a \(noun) name, found \(Self.describe(keyNode))", at: keyNode.mark, path: path)
                continue
            }
            let keyPath = path.isEmpty ? key.string : "\(path).\(key.string)"
            guard let field = fields.first(where: { $0.key == key.string }) else {
                let message = KeySuggestion.unknown(key.string, known: known, noun: noun)
                self.report(message, at: keyNode.mark, path: keyPath)
                continue
            }
            field.read(&value, valueNode, self, keyPath)
        }
    }

    /// A scalar value read as `kind` after interpolation; `nil`, with the problems reported, when it is not one.
    func value<Value>(_ node: Node, as kind: ConfigurationValue<Value>, at path: String) -> Value? {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            self.report("expected \(kind.expected), found \(Self.describe(node))", at: node.mark, path: path)
            return nil
        }
        let (text, problems) = EnvironmentInterpolation.expand(scalar.string, environment: self.environment)
        guard problems.isEmpty else {
            for problem in problems { self.report(problem, at: scalar.mark, path: path) }
            return nil
        }
        if let value = kind.parse(text) { return value }
        var found = String(reflecting: kind.redact(text))
        if text != scalar.string { found += " (from \(String(reflecting: kind.redact(scalar.string))))" }
        self.report("expected \(kind.expected), found \(found)", at: scalar.mark, path: path)
        return nil
    }

    /// `key:` with nothing after it, `~` or `null`, unquoted.
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// What a node is, for "found …": its text when it is a scalar.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): Self.isNull(node) ? "null" : String(reflecting: scalar.string)
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

/// One key of a mapping in the schema: its name and how its value is read into the configuration. Public only
/// so that ``PipelineSettings`` can name it; made and read inside this module.
public struct ConfigurationField<Root> {
    let key: String
    let read: (inout Root, Node, ConfigurationReader, _ path: String) -> Void

    init(key: String, read: @escaping (inout Root, Node, ConfigurationReader, _ path: String) -> Void) {
        self.key = key
        self.read = read
    }

    /// A scalar key, read as `kind` into `property`.
    static func value<Value>(
        _ key: String,
        _ property: WritableKeyPath<Root, Value>,
        _ kind: ConfigurationValue<Value>
    ) -> Self {
        Self(key: key) { root, node, reader, path in
            if let value = reader.value(node, as: kind, at: path) { root[keyPath: property] = value }
        }
    }

    /// A nested mapping read with its own fields into `property`, starting from `start` when given (the
    /// defaults a present section has), else from the property's current value.
    static func section<Section>(
        _ key: String,
        _ property: WritableKeyPath<Root, Section>,
        _ fields: [ConfigurationField<Section>],
        startingFrom start: Section? = nil
    ) -> Self {
        Self(key: key) { root, node, reader, path in
            var section = start ?? root[keyPath: property]
            reader.read(node, into: &section, fields: fields, at: path)
            root[keyPath: property] = section
        }
    }
}
