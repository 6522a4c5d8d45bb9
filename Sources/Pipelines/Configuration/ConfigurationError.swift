/// Why a configuration file could not be loaded: every problem found in it, each with its place.
///
/// Printed one problem per line, compiler style, e.g.
/// `pipelines.yaml:14:12: pipelines.durable-write.batch.max: expected a whole number ≥ 1, found "five"`.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// The problems, in the order they appear in the file; never empty.
    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        self.problems.map(\.description).joined(separator: "\n")
    }

    /// One thing wrong with the file, and where.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The file, as it was named to the loader.
        public var file: String
        /// The line, from 1; `nil` when the problem is the file as a whole (missing, unreadable).
        public var line: Int?
        /// The column, from 1, counted in Unicode scalars; `nil` when ``line`` is.
        public var column: Int?
        /// The dotted path of the key, e.g. `pipelines.durable-write.batch.max`; empty for the document itself.
        public var keyPath: String
        /// What is wrong and, where it helps, what to write instead.
        public var message: String

        public init(file: String, line: Int?, column: Int?, keyPath: String, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.keyPath = keyPath
            self.message = message
        }

        /// `file:line:column: key.path: message`, leaving out the parts that are unknown or empty.
        public var description: String {
            var place = self.file
            if let line = self.line {
                place += ":\(line)"
                if let column = self.column { place += ":\(column)" }
            }
            let key = self.keyPath.isEmpty ? "" : "\(self.keyPath): "
            return "\(place): \(key)\(self.message)"
        }
    }
}
