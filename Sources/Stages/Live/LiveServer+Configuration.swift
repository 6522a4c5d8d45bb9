extension LiveServer {
    /// How the live server listens and what it allows each connection.
    public struct Configuration: Sendable {
        /// The address to bind. Default: `0.0.0.0` (every interface).
        public var host = "0.0.0.0"
        /// The TCP port, 0–65535; 0 binds any free port (read it from ``LiveServer/port`` after
        /// ``LiveServer/start()``). Default: ``defaultPort``.
        public var port = Self.defaultPort
        /// Positions that may wait per connection while its client is behind (and per subscription while
        /// its snapshot is read), ≥ 1. Default: ``defaultClientQueue``.
        public var clientQueue = Self.defaultClientQueue
        /// A client whose queue stays non-empty longer than this is closed with 1008, > 0.
        /// Default: ``defaultSlowClientTimeout``.
        public var slowClientTimeout = Self.defaultSlowClientTimeout
        /// How long a position may wait before it is written to a client, so that the positions that come
        /// meanwhile go in the same socket write, ≥ 0 (zero: written at the end of each delivery pass). Each
        /// write costs a system call, a TCP segment and a wake-up of the client whatever it carries, so a
        /// few milliseconds here divide the server's CPU per delivery; control messages never wait.
        /// Default: ``defaultFlushDelay``.
        public var flushDelay = Self.defaultFlushDelay
        /// How long a closing handshake may take before the TCP connection is closed anyway; also bounds a
        /// graceful shutdown. Default: 5 s.
        public var closeTimeout: Duration = .seconds(5)
        /// How long a connection may take from accept to a completed upgrade. Default: 10 s.
        public var handshakeTimeout: Duration = .seconds(10)
        /// Bytes written but not yet taken by the kernel above which a connection counts as not writable
        /// (its messages then wait in its queue), and below which it is writable again. Default: 32–64 KiB.
        public var writeBufferWaterMark: ClosedRange<Int> = 32 * 1024...64 * 1024
        /// The longest client frame, and message, accepted; a longer one closes the connection with 1009.
        /// Default: 16 KiB (a request is well under 200 bytes).
        public var maxClientMessageSize = 16 * 1024
        /// `subscribe` requests one connection may have in flight before its frames are no longer read until
        /// one is answered. Default: 16.
        public var maxSubscribesInFlight = 16
        /// The tile server the map page draws under the course and markers; nil: none (the default).
        public var mapTiles: MapTiles?

        /// 8080.
        public static let defaultPort = 8080
        /// 256 positions.
        public static let defaultClientQueue = 256
        /// 10 s.
        public static let defaultSlowClientTimeout: Duration = .seconds(10)
        /// 10 ms.
        public static let defaultFlushDelay: Duration = .milliseconds(10)

        public init(
            host: String = "0.0.0.0",
            port: Int = Self.defaultPort,
            clientQueue: Int = Self.defaultClientQueue,
            slowClientTimeout: Duration = Self.defaultSlowClientTimeout,
            flushDelay: Duration = Self.defaultFlushDelay,
            mapTiles: MapTiles? = nil
        ) {
            self.host = host
            self.port = port
            self.clientQueue = clientQueue
            self.slowClientTimeout = slowClientTimeout
            self.flushDelay = flushDelay
            self.mapTiles = mapTiles
        }
    }
}
