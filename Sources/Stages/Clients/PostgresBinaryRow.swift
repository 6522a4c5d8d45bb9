import CLibPQ

/// One row of a result in PostgreSQL's binary format, read in place: no text is made of its values (a
/// rebuild reads hundreds of thousands of rows). Valid only during the call it is given to
/// (``PostgresConnection/query(_:_:binaryRows:)``). Each accessor returns nil for SQL NULL or a value of
/// another size than its type's.
public struct PostgresBinaryRow {
    let result: OpaquePointer
    /// The row's index in the result.
    public let index: Int32

    public func isNull(_ column: Int32) -> Bool { PQgetisnull(self.result, self.index, column) == 1 }

    /// A `smallint`.
    public func int16(_ column: Int32) -> Int16? {
        self.load(column, as: UInt16.self).map { Int16(bitPattern: UInt16(bigEndian: $0)) }
    }

    /// An `integer`.
    public func int32(_ column: Int32) -> Int32? {
        self.load(column, as: UInt32.self).map { Int32(bitPattern: UInt32(bigEndian: $0)) }
    }

    /// A `bigint`.
    public func int64(_ column: Int32) -> Int64? {
        self.load(column, as: UInt64.self).map { Int64(bitPattern: UInt64(bigEndian: $0)) }
    }

    /// A `double precision`.
    public func double(_ column: Int32) -> Double? {
        self.load(column, as: UInt64.self).map { Double(bitPattern: UInt64(bigEndian: $0)) }
    }

    /// A `timestamptz` (or `timestamp`), as µs since the Unix epoch, exactly.
    public func microseconds(_ column: Int32) -> Int64? {
        self.int64(column).map { $0 + BinaryValues.postgresEpochMicros }
    }

    /// A `text` (or `varchar`, `uuid` would be binary: cast it to text in the statement).
    public func text(_ column: Int32) -> String? {
        guard !self.isNull(column), let value = PQgetvalue(self.result, self.index, column) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: value, count: Int(PQgetlength(self.result, self.index, column)))
        return String(decoding: bytes, as: UTF8.self)
    }

    private func load<T: FixedWidthInteger>(_ column: Int32, as: T.Type) -> T? {
        guard !self.isNull(column), PQgetlength(self.result, self.index, column) == MemoryLayout<T>.size,
            let value = PQgetvalue(self.result, self.index, column)
        else { return nil }
        return UnsafeRawPointer(value).loadUnaligned(as: T.self)
    }
}
