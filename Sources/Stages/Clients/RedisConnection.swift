import CHiredis
import Foundation

/// One connection to Redis over hiredis, owned by an actor that runs on a thread of its own.
///
/// Connects on first use. When a command fails on the wire (reset, timeout, a null reply — hiredis
/// 0.14 also drops a connection whose socket timeout is shorter than a `BLOCK`), the connection is
/// freed and the error thrown; the next command connects again. Retrying, with backoff, is the caller's
/// decision, because only the caller knows whether its command is safe to repeat.
///
/// - Important: hiredis calls block; they run only on this actor's own ``ThreadExecutor`` thread, never on
///   Swift's cooperative pool.
public actor RedisConnection {
    public struct Configuration: Sendable {
        /// How long connecting may take. Default: 5 s.
        public var connectTimeout: Duration = .seconds(5)
        /// How long a command may wait for its reply, on top of any `BLOCK` it asks for. Default: 5 s.
        public var commandTimeout: Duration = .seconds(5)

        public init() {}
    }

    public nonisolated let endpoint: String
    /// The connection's name in `CLIENT LIST`: `flowrun-<name>`.
    public nonisolated let clientName: String
    private let host: String
    private let port: Int32
    private let password: String?
    private let database: Int?
    private let configuration: Configuration
    private let executor: ThreadExecutor
    /// The C handle. `nonisolated(unsafe)` only so that `deinit` may free it: every other access is from this
    /// actor's methods, which all run on its one thread.
    private nonisolated(unsafe) var context: UnsafeMutablePointer<redisContext>?
    /// Where hiredis builds each reply (instead of a tree of `redisReply` objects, one allocation per
    /// element); reset after each reply is read. Lives as long as the actor; `nonisolated(unsafe)` for
    /// `deinit` only, like `context`.
    private nonisolated(unsafe) let arena: UnsafeMutablePointer<flowrun_reply_arena>
    private var currentTimeout: Duration?

    public nonisolated var unownedExecutor: UnownedSerialExecutor { self.executor.asUnownedSerialExecutor() }

    /// Whether the connection's thread has started: not until its first command (or ``connect()``), so a
    /// connection made and never used (a pipeline built by `flowrun check`) costs no thread.
    public nonisolated var hasStartedThread: Bool { self.executor.isStarted }

    /// - Parameter url: `redis://[:password@]host[:port][/db]`; the port defaults to 6379.
    public init(url: String, name: String = "redis", configuration: Configuration = Configuration()) throws(RedisError)
    {
        guard let components = URLComponents(string: url), components.scheme == "redis",
            let host = components.host, !host.isEmpty
        else {
            throw RedisError(kind: .invalidURL, endpoint: url, command: "", message: "not a redis:// URL with a host")
        }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !path.isEmpty && Int(path) == nil {
            throw RedisError(
                kind: .invalidURL,
                endpoint: url,
                command: "",
                message: "the database '\(path)' is not a number"
            )
        }
        self.host = host
        self.port = Int32(components.port ?? 6379)
        self.password = components.password ?? (components.user.flatMap { $0.isEmpty ? nil : $0 })
        self.database = Int(path)
        self.endpoint = "\(host):\(components.port ?? 6379)"
        self.clientName = "flowrun-" + name.map { $0.isWhitespace ? "-" : $0 }
        self.configuration = configuration
        self.executor = ThreadExecutor(name: "flowrun-\(name)")
        guard let arena = flowrun_reply_arena_create() else { fatalError("out of memory") }
        self.arena = arena
    }

    deinit {
        // `context` is the actor's state; nothing else can reach it while the actor is deinitialised.
        if let context = self.context { redisFree(context) }
        flowrun_reply_arena_free(self.arena)
        self.executor.shutdown()
    }

    /// Closes the connection and ends its thread. The actor is unusable afterwards.
    public func close() {
        self.disconnect()
        self.executor.shutdown()
    }

    /// Whether a connection is open now (it may still turn out broken on the next command).
    public var isConnected: Bool { self.context != nil }

    /// Connects now if not connected (otherwise the first command does).
    public func connect() throws(RedisError) {
        _ = try self.connectedContext()
    }

    /// Sends one command and returns its reply.
    ///
    /// - Parameter blocking: how long the command itself may block on the server (its `BLOCK`), added to
    ///   the command timeout.
    /// - Throws: ``RedisError`` of kind `.server` for an error reply, `.connectionLost` or `.connect` otherwise.
    @discardableResult
    public func send(_ arguments: [RedisArgument], blocking: Duration = .zero) throws(RedisError) -> RedisReply {
        try self.send(arguments, blocking: blocking) { $0.reply() }
    }

    /// Sends one command and reads its reply straight from the reply's nodes with `decode`, which runs on
    /// the connection's thread and must copy out what it keeps (see ``RedisReplyCursor``). For replies on
    /// a hot path: no ``RedisReply`` tree is built.
    ///
    /// - Throws: ``RedisError`` of kind `.server` for an error reply (`decode` is not called),
    ///   `.connectionLost` or `.connect` otherwise.
    public func send<Result: Sendable>(
        _ arguments: [RedisArgument],
        blocking: Duration = .zero,
        decode: @Sendable (inout RedisReplyCursor) -> Result
    ) throws(RedisError) -> Result {
        let reply = try self.exchange([arguments], blocking: blocking) { cursor -> Swift.Result<Result, RedisError> in
            var peek = cursor
            if case .error(let message) = peek.next() {
                return .failure(
                    RedisError(
                        kind: .server,
                        endpoint: self.endpoint,
                        command: Self.name(of: arguments),
                        message: String(decoding: message, as: UTF8.self)
                    )
                )
            }
            return .success(decode(&cursor))
        }[0]
        return try reply.get()
    }

    /// Sends several commands at once and returns their replies in order; error replies are returned,
    /// not thrown.
    public func send(pipeline commands: [[RedisArgument]]) throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try self.exchange(commands, blocking: .zero) { $0.reply() }
    }

    // MARK: - Internals

    private static func name(of arguments: [RedisArgument]) -> String {
        arguments.first.map { String(decoding: $0.bytes, as: UTF8.self).uppercased() } ?? "?"
    }

    private func exchange<Reply>(
        _ commands: [[RedisArgument]],
        blocking: Duration,
        decode: (inout RedisReplyCursor) -> Reply
    ) throws(RedisError) -> [Reply] {
        let context = try self.connectedContext()
        let commandName = commands.count == 1 ? Self.name(of: commands[0]) : "pipeline of \(commands.count)"
        self.setTimeout(self.configuration.commandTimeout + blocking, on: context)
        for command in commands {
            let status = RESPCommand(command).bytes.withUnsafeBufferPointer { resp in
                resp.withMemoryRebound(to: CChar.self) { resp in
                    redisAppendFormattedCommand(context, resp.baseAddress, resp.count)
                }
            }
            if status != REDIS_OK { throw self.lost(context, commandName) }
        }
        var replies: [Reply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            // hiredis parses one reply per call, into the arena (its root is node `raw - 1`).
            flowrun_reply_arena_reset(self.arena)
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw self.lost(context, commandName) }
            var cursor = RedisReplyCursor(arena: self.arena, root: Int(bitPattern: raw) - 1)
            replies.append(decode(&cursor))
        }
        flowrun_reply_arena_reset(self.arena)
        return replies
    }

    private func connectedContext() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        if let context = self.context { return context }
        guard let context = redisConnectWithTimeout(self.host, self.port, timeval(self.configuration.connectTimeout))
        else {
            throw RedisError(kind: .connect, endpoint: self.endpoint, command: "CONNECT", message: "out of memory")
        }
        if context.pointee.err != 0 {
            let message = Self.errorString(context)
            redisFree(context)
            throw RedisError(kind: .connect, endpoint: self.endpoint, command: "CONNECT", message: message)
        }
        _ = redisEnableKeepAlive(context)
        // Keep the reader's buffer between replies: by default hiredis frees it whenever more than 16 KiB is
        // unused and grows it again for the next large reply (an `XREADGROUP` page is hundreds of KiB), and
        // freeing such large blocks makes malloc consolidate its whole heap every time.
        context.pointee.reader.pointee.maxbuf = 0
        flowrun_reply_arena_install(context, self.arena)
        self.context = context
        self.currentTimeout = nil
        do {
            if let password = self.password { try self.send(["AUTH", RedisArgument(password)]) }
            if let database = self.database { try self.send(["SELECT", RedisArgument(String(database))]) }
            try self.send(["CLIENT", "SETNAME", RedisArgument(self.clientName)])
        } catch {
            self.disconnect()
            throw RedisError(kind: .connect, endpoint: self.endpoint, command: error.command, message: error.message)
        }
        return context
    }

    private func setTimeout(_ timeout: Duration, on context: UnsafeMutablePointer<redisContext>) {
        guard self.currentTimeout != timeout else { return }
        _ = redisSetTimeout(context, timeval(timeout))
        self.currentTimeout = timeout
    }

    private func lost(_ context: UnsafeMutablePointer<redisContext>, _ command: String) -> RedisError {
        let message = context.pointee.err != 0 ? Self.errorString(context) : "no reply"
        self.disconnect()
        return RedisError(kind: .connectionLost, endpoint: self.endpoint, command: command, message: message)
    }

    private func disconnect() {
        if let context = self.context { redisFree(context) }
        self.context = nil
        // What a broken reply left there.
        flowrun_reply_arena_reset(self.arena)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { buffer in
            let bytes = buffer.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "error \(context.pointee.err)" : text
        }
    }
}

private func timeval(_ duration: Duration) -> Glibc.timeval {
    Glibc.timeval(tv_sec: Int(duration.components.seconds), tv_usec: Int(duration.microseconds % 1_000_000))
}
