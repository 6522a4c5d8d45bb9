import Synchronization

/// Reports, for each channel a pipeline made, how many producers are suspended waiting for room in it.
///
/// Tests set one in ``PipelineConfiguration/channelProbe`` to know, from the channels' own state rather than
/// from time passing, that backpressure has stopped a stage: a producer counted here is suspended in its
/// `send` until the channel's consumer takes enough to go below its low watermark.
///
/// - Important: Counts are read under each channel's lock, one channel at a time, never all at once.
package final class ChannelProbe: Sendable {
    private struct Entry: Sendable {
        var consumerIndex: Int
        var consumer: String
        var suspendedProducers: @Sendable () -> Int
    }

    private let channels = Mutex<[Entry]>([])

    package init() {}

    func register<Item>(_ channel: ChannelStorage<Item>, consumerIndex: Int, consumer: String) {
        let entry = Entry(consumerIndex: consumerIndex, consumer: consumer) { channel.suspendedProducers }
        self.channels.withLock { $0.append(entry) }
    }

    /// For each channel, from the last stage's input back to the first's: the stage that reads it and how
    /// many producers wait for room in it now.
    package var suspendedProducers: [(consumer: String, count: Int)] {
        self.entriesFromTheEnd.map { ($0.consumer, $0.suspendedProducers()) }
    }

    /// `true` when a producer waits for room in every channel the pipeline made.
    ///
    /// When the last stage has stopped reading, an answer of `true` stays true until it reads again: the
    /// channels are read from the end back, so each producer found waiting feeds a consumer already found
    /// waiting (which cannot take anything and resume it).
    package var everyChannelHasASuspendedProducer: Bool {
        let entries = self.entriesFromTheEnd
        return !entries.isEmpty && entries.allSatisfy { $0.suspendedProducers() > 0 }
    }

    private var entriesFromTheEnd: [Entry] {
        self.channels.withLock { $0 }.sorted { $0.consumerIndex > $1.consumerIndex }
    }
}
