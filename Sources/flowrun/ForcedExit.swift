import Foundation
import Logging
import Pipelines
import UnixSignals

/// A second SIGTERM or SIGINT while the pipelines drain: exit now, non-zero, saying what was abandoned.
///
/// Safe at any moment: an entry is acknowledged only after its row exists, so what is abandoned is only
/// unacknowledged entries, which stay pending in the stream and are delivered again at the next start.
enum ForcedExit {
    /// Watches the signals until the process ends; the first one is the graceful drain's (ServiceGroup
    /// handles it), the second ends the process with status 130.
    ///
    /// - Parameter abandoned: What stopping now leaves undone (``PipelineSupervisor/abandonedIfStoppedNow``).
    static func watch(logger: Logger, abandoned: @escaping @Sendable () -> String) async {
        var signals = 0
        for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
            signals += 1
            if signals == 1 {
                logger.notice("draining; send the signal again to stop at once", metadata: ["signal": "\(signal)"])
                continue
            }
            logger.error(
                "second signal: stopping at once without finishing the drain",
                metadata: ["signal": "\(signal)", "abandoned": "\(abandoned())"]
            )
            exit(130)
        }
    }
}
