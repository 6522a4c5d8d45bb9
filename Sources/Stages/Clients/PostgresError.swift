/// A PostgreSQL query or connection failed; says where, which statement, and what happened.
public struct PostgresError: Error, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No connection could be made.
        case connect
        /// The connection broke during a statement; it is dropped and the next statement reconnects.
        case connectionLost
        /// The server rejected the statement (its SQLSTATE says why).
        case query
    }

    public var kind: Kind
    /// `host:port/database` of the server.
    public var endpoint: String
    /// The start of the statement that failed.
    public var statement: String
    /// The five-character SQLSTATE, when the server sent one (`23505`, `57P01`…).
    public var sqlState: String?
    public var message: String

    public init(kind: Kind, endpoint: String, statement: String, sqlState: String?, message: String) {
        self.kind = kind
        self.endpoint = endpoint
        self.statement = statement
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        let state = self.sqlState.map { " [SQLSTATE \($0)]" } ?? ""
        switch self.kind {
        case .connect:
            return "cannot connect to PostgreSQL at \(self.endpoint): \(self.message)"
                + " (is it running, and does the URL name the right user and database?)"
        case .connectionLost:
            return "PostgreSQL at \(self.endpoint): the connection broke during '\(self.statement)': \(self.message);"
                + " it will be re-established"
        case .query:
            return "PostgreSQL at \(self.endpoint) rejected '\(self.statement)'\(state): \(self.message)"
        }
    }
}
