/// Where one pipeline is in its life, as `/readyz` reports it.
///
/// The runner moves each pipeline forward, usually through a ``TrackedPipeline``:
/// `starting` → `running` → `draining` → `stopped`, or `failed` from any of them. Only `running` is ready.
public enum PipelineState: Sendable, Hashable, CustomStringConvertible {
    /// Registered, not serving yet (e.g. loading its state, binding its port).
    case starting
    /// Reading the stream and doing its work.
    case running
    /// A graceful shutdown has begun: it stops reading and finishes what is in flight.
    case draining
    /// Ended after a drain.
    case stopped
    /// Ended with an error; the text says which.
    case failed(String)

    public var isRunning: Bool { self == .running }

    /// `starting`, `running`, `draining`, `stopped` or `failed: <reason>`.
    public var description: String {
        switch self {
        case .starting: "starting"
        case .running: "running"
        case .draining: "draining"
        case .stopped: "stopped"
        case .failed(let reason): "failed: \(reason)"
        }
    }
}
