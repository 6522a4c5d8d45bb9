import LiveTestClient
import Synchronization

/// What one client received: each `position` message as the feeder's position number and the instant it was
/// read, plus whether `subscribed` came.
///
/// - Important: Written on the client's event loop (``record(_:)`` must stay cheap), read by the benchmark's
///   task once the run is over; the mutex is only ever contended at that moment.
final class DeliveryLog: Sendable {
    struct Receipt: Sendable {
        /// The feeder's number of the position (see ``Fleet/position(device:sequence:)``).
        var position: Int
        /// When it was read, ns after the run's origin.
        var receivedAt: Int64
    }

    private let receipts = Mutex<[Receipt]>([])
    private let reader: DeliveryReader
    private let progress: ClientProgress

    init(reader: DeliveryReader, progress: ClientProgress) {
        self.reader = reader
        self.progress = progress
    }

    /// The `onMessage` of the client: classifies the message by its first bytes and, for a position, finds
    /// its device and timestamp without parsing the JSON.
    func record(_ message: LiveTestClient.Message) {
        let outcome = message.payload.withUnsafeReadableBytes { self.reader.read($0) }
        switch outcome {
        case .position(let position):
            let receipt = Receipt(position: position, receivedAt: self.reader.nanoseconds(at: message.receivedAt))
            self.receipts.withLock { $0.append(receipt) }
            self.progress.deliveries.add(1, ordering: .relaxed)
        case .subscribed:
            self.progress.subscribed.add(1, ordering: .relaxed)
        case .other:
            self.progress.unexpected(message.text)
        }
    }

    /// Everything received so far.
    var all: [Receipt] { self.receipts.withLock { $0 } }
}

/// Counters shared by every client's log: how many are subscribed, how many positions came, and the first
/// message that was neither (an `error`, say).
final class ClientProgress: Sendable {
    let subscribed = Atomic<Int>(0)
    let deliveries = Atomic<Int>(0)
    private let firstUnexpected = Mutex<String?>(nil)

    func unexpected(_ text: String) {
        self.firstUnexpected.withLock { $0 = $0 ?? text }
    }

    /// The first message that was neither `subscribed` nor a position of the benchmark's, if any.
    var unexpectedMessage: String? { self.firstUnexpected.withLock { $0 } }
}
