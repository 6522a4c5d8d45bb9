/// The device → event map could not be read from the CMS's event registry (CONTRACT §3).
public struct DeviceEventsError: Error, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A table or column the join needs does not exist: the database is not the CMS's, or the CMS has not
        /// created its schema yet.
        case registryMissing
        /// PostgreSQL could not be reached or failed the query.
        case unreadable
    }

    public var kind: Kind
    /// What PostgreSQL said.
    public var underlying: PostgresError

    /// The tables the join reads, and the columns it needs of each.
    public static let requiredTables =
        "devices(id, imei), entries(id, event_id) and entry_devices(entry_id, device_id)"

    public init(kind: Kind, underlying: PostgresError) {
        self.kind = kind
        self.underlying = underlying
    }

    /// Classifies a failure of the registry join: an undefined table (`42P01`) or column (`42703`) is a
    /// missing registry.
    init(_ error: PostgresError) {
        let missing = error.sqlState == "42P01" || error.sqlState == "42703"
        self.init(kind: missing ? .registryMissing : .unreadable, underlying: error)
    }

    public var description: String {
        switch self.kind {
        case .registryMissing:
            return "cannot load the device → event map: PostgreSQL at \(self.underlying.endpoint) lacks the event"
                + " registry tables \(Self.requiredTables) (CONTRACT §3): \(self.underlying.message). These tables"
                + " belong to the CMS (Directus), which creates and fills them; flowrun's migrations do not."
                + " Point postgres.url at the CMS's database, or start the CMS first."
        case .unreadable:
            return "cannot load the device → event map from \(Self.requiredTables): \(self.underlying)"
        }
    }
}
