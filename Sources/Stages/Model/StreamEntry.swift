/// One entry of the telemetry stream (CONTRACT §1), as read with `XREADGROUP` or `XAUTOCLAIM`.
public struct StreamEntry: Sendable, Hashable {
    /// The entry's stream id, e.g. `1714667812123-0`.
    public var id: String
    /// The entry's fields in stream order; Redis values are bytes.
    public var fields: [Field]
    /// How many times this entry has been delivered to a consumer of the group, this delivery included.
    public var deliveries: Int

    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: [UInt8]

        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public init(id: String, fields: [Field], deliveries: Int = 1) {
        self.id = id
        self.fields = fields
        self.deliveries = deliveries
    }

    /// The value of the first field named `name`.
    public func value(of name: String) -> [UInt8]? {
        // By index: `first(where:)` would copy (retain and release) every field it looks at.
        for index in self.fields.indices where self.fields[index].name == name { return self.fields[index].value }
        return nil
    }
}
