import Logging
import Synchronization

/// A log handler that keeps every message (without its metadata), for a test to read.
struct RecordingLogHandler: LogHandler {
    /// The messages logged through every handler made from this log, in order.
    final class Log: Sendable {
        private let lines = Mutex<[String]>([])

        var messages: [String] { self.lines.withLock { $0 } }

        /// A logger whose records go to this log.
        func logger(label: String = "test") -> Logger {
            Logger(label: label, factory: { _ in RecordingLogHandler(destination: self) })
        }

        fileprivate func append(_ message: String) { self.lines.withLock { $0.append(message) } }
    }

    let destination: Log
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        self.destination.append("\(event.message)")
    }
}
