import Foundation

/// What a benchmark takes from its environment (its script in scripts/ sets it): REDIS_URL, POSTGRES_URL,
/// FLOWRUN_BINARY (the release flowrun), FLOWRUN_MIGRATIONS (the Migrations folder), and any others it names.
public struct BenchmarkEnvironment: Sendable {
    public var redisURL: String
    public var postgresURL: String
    public var flowrunBinary: String
    public var migrations: String
    /// The other variables asked for, by name.
    public var others: [String: String]

    /// - Parameters:
    ///   - script: the script that sets them, named in the error.
    ///   - others: the names of the other variables needed.
    public init(_ variables: [String: String], script: String, others: [String] = []) throws(BenchmarkFailure) {
        let names = ["REDIS_URL", "POSTGRES_URL", "FLOWRUN_BINARY", "FLOWRUN_MIGRATIONS"] + others
        let missing = names.filter { variables[$0] == nil }
        guard missing.isEmpty else {
            throw BenchmarkFailure("needs \(missing.joined(separator: ", ")) in the environment (run \(script))")
        }
        self.redisURL = variables["REDIS_URL"] ?? ""
        self.postgresURL = variables["POSTGRES_URL"] ?? ""
        self.flowrunBinary = variables["FLOWRUN_BINARY"] ?? ""
        self.migrations = variables["FLOWRUN_MIGRATIONS"] ?? ""
        self.others = variables.filter { others.contains($0.key) }
    }

    /// The URL of `database` on POSTGRES_URL's server.
    public func url(ofDatabase database: String) throws(BenchmarkFailure) -> String {
        guard var components = URLComponents(string: self.postgresURL) else {
            throw BenchmarkFailure("POSTGRES_URL is not a URL: \(self.postgresURL)")
        }
        components.path = "/\(database)"
        return components.string ?? self.postgresURL
    }
}
