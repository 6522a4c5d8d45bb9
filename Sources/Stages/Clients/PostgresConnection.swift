import CLibPQ
import Foundation
import NIOCore

/// The rows a statement returned, as text (libpq's text format), and how many rows it affected.
public struct PostgresRows: Sendable, Hashable {
    public var columns: [String]
    public var rows: [[String?]]
    /// `PQcmdTuples`: rows inserted, updated, deleted or copied (0 when not applicable).
    public var affected: Int
}

/// One connection to PostgreSQL over libpq, owned by an actor that runs on a thread of its own.
///
/// Connects on first use. When the connection breaks during a statement, it is closed and the error
/// thrown; the next statement connects again. Retrying is the caller's decision.
///
/// - Important: libpq calls block; they run only on this actor's own ``ThreadExecutor`` thread, never on
///   Swift's cooperative pool.
public actor PostgresConnection {
    public nonisolated let endpoint: String
    private let url: String
    private let executor: ThreadExecutor
    /// The C handle. `nonisolated(unsafe)` only so that `deinit` may free it: every other access is from this
    /// actor's methods, which all run on its one thread.
    private nonisolated(unsafe) var connection: OpaquePointer?
    /// Registered with every C connection this actor opens, which it outlives.
    private let notices = PostgresNoticeCollector()

    public nonisolated var unownedExecutor: UnownedSerialExecutor { self.executor.asUnownedSerialExecutor() }

    /// Whether the connection's thread has started: not until its first command (or ``connect()``), so a
    /// connection made and never used (a pipeline built by `flowrun check`) costs no thread.
    public nonisolated var hasStartedThread: Bool { self.executor.isStarted }

    /// - Parameter url: `postgresql://user[:password]@host[:port]/database[?options]` (libpq's URI form).
    public init(url: String, name: String = "postgres") {
        self.url = url
        if let components = URLComponents(string: url), let host = components.host {
            self.endpoint = "\(host):\(components.port ?? 5432)\(components.path)"
        } else {
            self.endpoint = url
        }
        self.executor = ThreadExecutor(name: "flowrun-\(name)")
    }

    deinit {
        // `connection` is the actor's state; nothing else can reach it while the actor is deinitialised.
        if let connection = self.connection { PQfinish(connection) }
        self.executor.shutdown()
    }

    /// Closes the connection and ends its thread. The actor is unusable afterwards.
    public func close() {
        self.disconnect()
        self.executor.shutdown()
    }

    /// Connects now if not connected (otherwise the first statement does).
    public func connect() throws(PostgresError) {
        _ = try self.connected()
    }

    /// Runs one statement with text parameters (`$1`, `$2`…; `nil` is SQL NULL).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        let connection = try self.connected()
        let result = withCStrings(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        return try self.rows(of: result, sql: sql, connection: connection)
    }

    /// Runs one statement with parameters in PostgreSQL's binary format (`nil` is SQL NULL). Each
    /// parameter's type comes from the statement (write `$1::float8[]`), as the server decodes its bytes.
    @discardableResult
    public func query(_ sql: String, binary parameters: [[UInt8]?]) throws(PostgresError) -> PostgresRows {
        let connection = try self.connected()
        let lengths = parameters.map { Int32($0?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: parameters.count)
        let result = withBinaryValues(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        defer { PQclear(result) }
        return try self.rows(of: result, sql: sql, connection: connection)
    }

    /// Runs one statement with text parameters and reads its rows in PostgreSQL's binary format, each with
    /// `decode`, on this connection's thread. A row `decode` cannot read (nil) fails the statement with an
    /// error naming the row: nothing is skipped silently.
    public func query<Row: Sendable>(
        _ sql: String,
        _ parameters: [String?],
        binaryRows decode: @Sendable (PostgresBinaryRow) -> Row?
    ) throws(PostgresError) -> [Row] {
        let connection = try self.connected()
        let result = withCStrings(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 1)
        }
        defer { PQclear(result) }
        let checked = try self.checked(result, sql: sql, connection: connection)
        let count = PQntuples(checked)
        var rows: [Row] = []
        rows.reserveCapacity(Int(count))
        for index in 0..<count {
            guard let row = decode(PostgresBinaryRow(result: checked, index: index)) else {
                throw PostgresError(
                    kind: .query,
                    endpoint: self.endpoint,
                    statement: Self.shorten(sql),
                    sqlState: nil,
                    message: "row \(index + 1) of \(count) has a NULL or a value of an unexpected type"
                )
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs a script of one or more statements without parameters (libpq's simple query protocol), as a
    /// migration file is written.
    public func execute(_ script: String) throws(PostgresError) {
        let connection = try self.connected()
        let result = PQexec(connection, script)
        defer { PQclear(result) }
        _ = try self.rows(of: result, sql: script, connection: connection)
    }

    /// Runs a script as ``execute(_:)`` does and returns the notices the server sent while it ran (`RAISE
    /// NOTICE`'s messages, in order): what a migration says it did.
    public func executeCollectingNotices(_ script: String) throws(PostgresError) -> [String] {
        self.notices.messages = []
        self.notices.isCollecting = true
        defer { self.notices.isCollecting = false }
        try self.execute(script)
        let messages = self.notices.messages
        self.notices.messages = []
        return messages
    }

    /// Runs `COPY … FROM STDIN` with `data` (in the COPY's format) and returns the rows copied.
    @discardableResult
    public func copyIn(_ sql: String, data: [UInt8]) throws(PostgresError) -> Int {
        try data.withUnsafeBytes { bytes in Result { () throws(PostgresError) in try self.copyIn(sql, bytes: bytes) } }
            .get()
    }

    /// Runs `COPY … FROM STDIN` with the readable bytes of `data` and returns the rows copied.
    @discardableResult
    public func copyIn(_ sql: String, data: ByteBuffer) throws(PostgresError) -> Int {
        try data.withUnsafeReadableBytes { bytes in
            Result { () throws(PostgresError) in try self.copyIn(sql, bytes: bytes) }
        }
        .get()
    }

    private func copyIn(_ sql: String, bytes: UnsafeRawBufferPointer) throws(PostgresError) -> Int {
        let connection = try self.connected()
        let start = PQexec(connection, sql)
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            _ = try self.rows(of: start, sql: sql, connection: connection)
            throw PostgresError(
                kind: .query,
                endpoint: self.endpoint,
                statement: Self.shorten(sql),
                sqlState: nil,
                message: "the statement did not start a COPY FROM STDIN"
            )
        }
        PQclear(start)
        let sent = PQputCopyData(
            connection,
            bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
            Int32(bytes.count)
        )
        if sent != 1 || PQputCopyEnd(connection, nil) != 1 { throw self.lost(connection, sql) }
        var copied = 0
        var failure: PostgresError?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            do {
                copied += try self.rows(of: result, sql: sql, connection: connection).affected
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return copied
    }

    // MARK: - Internals

    private func connected() throws(PostgresError) -> OpaquePointer {
        if let connection = self.connection {
            if PQstatus(connection) == CONNECTION_OK { return connection }
            self.disconnect()
        }
        guard let connection = PQconnectdb(self.url) else {
            throw PostgresError(
                kind: .connect,
                endpoint: self.endpoint,
                statement: "connect",
                sqlState: nil,
                message: "out of memory"
            )
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(
                kind: .connect,
                endpoint: self.endpoint,
                statement: "connect",
                sqlState: nil,
                message: message
            )
        }
        // Notices ("already exists, skipping") are not errors: kept only while a caller collects them.
        PQsetNoticeReceiver(
            connection,
            PostgresNoticeCollector.receiver,
            Unmanaged.passUnretained(self.notices).toOpaque()
        )
        self.connection = connection
        return connection
    }

    private func rows(
        of result: OpaquePointer?,
        sql: String,
        connection: OpaquePointer
    ) throws(PostgresError) -> PostgresRows {
        let result = try self.checked(result, sql: sql, connection: connection)
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            rows.append(
                (0..<Int32(columnCount)).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                }
            )
        }
        return PostgresRows(columns: columns, rows: rows, affected: Int(String(cString: PQcmdTuples(result))) ?? 0)
    }

    /// `result` when its statement succeeded; otherwise the error it reports (or the connection's).
    private func checked(
        _ result: OpaquePointer?,
        sql: String,
        connection: OpaquePointer
    ) throws(PostgresError) -> OpaquePointer {
        guard let result else { throw self.lost(connection, sql) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_EMPTY_QUERY:
            return result
        default:
            if PQstatus(connection) != CONNECTION_OK { throw self.lost(connection, sql) }
            let state = PQresultErrorField(result, Int32(Character("C").asciiValue!)).map { String(cString: $0) }
            throw PostgresError(
                kind: .query,
                endpoint: self.endpoint,
                statement: Self.shorten(sql),
                sqlState: state,
                message: Self.message(PQresultErrorMessage(result))
            )
        }
    }

    private func lost(_ connection: OpaquePointer, _ sql: String) -> PostgresError {
        let message = Self.message(PQerrorMessage(connection))
        self.disconnect()
        return PostgresError(
            kind: .connectionLost,
            endpoint: self.endpoint,
            statement: Self.shorten(sql),
            sqlState: nil,
            message: message.isEmpty ? "the server closed the connection" : message
        )
    }

    private func disconnect() {
        if let connection = self.connection { PQfinish(connection) }
        self.connection = nil
    }

    private static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: " ")
    }

    private static func shorten(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return oneLine.count <= 80 ? oneLine : String(oneLine.prefix(79)) + "…"
    }
}

/// Calls `body` with C strings for `values` (NULL for `nil`), valid only during the call.
private func withCStrings<R>(_ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    if values.isEmpty { return body(nil) }
    let pointers = values.map { $0.map { strdup($0)! } }
    defer { for pointer in pointers { free(pointer) } }
    let array = pointers.map { UnsafePointer($0) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Calls `body` with pointers to `values`' bytes (NULL for `nil`), valid only during the call; the bytes are
/// not copied (a batch's parameters are hundreds of KiB).
private func withBinaryValues<R>(_ values: [[UInt8]?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    if values.isEmpty { return body(nil) }
    var pointers: [UnsafePointer<CChar>?] = []
    pointers.reserveCapacity(values.count)
    return withPointers(values[...], &pointers, body)
}

/// Appends a pointer to each of `values`' bytes to `pointers`, one nested `withUnsafeBytes` per value so that
/// all stay valid, then calls `body` with them all.
private func withPointers<R>(
    _ values: ArraySlice<[UInt8]?>,
    _ pointers: inout [UnsafePointer<CChar>?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
) -> R {
    guard let first = values.first else { return pointers.withUnsafeBufferPointer { body($0.baseAddress) } }
    guard let value = first else {
        pointers.append(nil)
        return withPointers(values.dropFirst(), &pointers, body)
    }
    return value.withUnsafeBytes { bytes in
        // libpq reads a NULL pointer as SQL NULL: an empty value needs a real (if unread) address.
        pointers.append(UnsafePointer(bytes.baseAddress?.assumingMemoryBound(to: CChar.self)) ?? emptyValue())
        return withPointers(values.dropFirst(), &pointers, body)
    }
}

/// The address passed for an empty non-NULL parameter: a static empty C string, never read (its length is 0).
private func emptyValue() -> UnsafePointer<CChar> {
    UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
}
