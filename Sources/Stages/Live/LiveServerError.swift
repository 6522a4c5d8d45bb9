/// Why the live server could not start.
public enum LiveServerError: Error, CustomStringConvertible {
    /// ``LiveServer/start()`` was called on a server started or shut down before.
    case alreadyStarted
    /// The address could not be bound (in use, not an address of this host, no permission).
    case bindFailed(host: String, port: Int, underlying: String)
    /// A connection came in while the server was stopping.
    case stopping

    public var description: String {
        switch self {
        case .alreadyStarted:
            "the live server was started before: make a new LiveServer to start again"
        case .bindFailed(let host, let port, let underlying):
            "the live server could not listen on \(host):\(port) (set pipelines.live-broadcast.port to a free port, "
                + "or 0 for any): \(underlying)"
        case .stopping:
            "the live server is stopping"
        }
    }
}
