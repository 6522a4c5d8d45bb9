import Synchronization
import Testing

@testable import Flow

/// The channel with real tasks: suspension, resumption, cancellation.
@Suite(.timeLimit(.minutes(1))) struct ChannelTests {
    @Test func producerWithoutConsumer_blocksExactlyAtHighWatermark() async throws {
        let channel = ChannelStorage<Int>(backpressure: .watermark(low: 4, high: 8, maxChunk: 1))
        let sent = Counter()
        let producer = Task {
            for item in 0..<100 {
                try await channel.send([item])
                sent.increment()
            }
        }
        // The 8th send buffers its item and then waits: 7 sends have returned.
        try await waitUntil { channel.suspendedProducers == 1 }
        #expect(sent.current == 7)
        var received: [Int] = []
        while received.count < 100, case .chunk(let chunk) = await channel.next(wakeable: false) {
            received += chunk
        }
        #expect(received == Array(0..<100))
        try await producer.value
    }

    @Test func cancelledConsumer_nextReturnsCancelled() async {
        let channel = ChannelStorage<Int>(backpressure: .default)
        let consumer = Task { await channel.next(wakeable: false) }
        consumer.cancel()
        guard case .cancelled = await consumer.value else {
            Issue.record("expected .cancelled")
            return
        }
    }

    @Test func cancelledBlockedProducer_throwsCancellation_itsChunkStaysBuffered() async throws {
        let channel = ChannelStorage<Int>(backpressure: .watermark(low: 0, high: 1, maxChunk: 4))
        let producer = Task { try await channel.send([1, 2]) }
        producer.cancel()  // before or while it waits for room: either way it throws, the chunk stays
        await #expect(throws: CancellationError.self) { try await producer.value }
        guard case .chunk([1, 2]) = await channel.next(wakeable: false) else {
            Issue.record("the cancelled sender's chunk must still be delivered")
            return
        }
    }

    @Test func consumerClosed_blockedProducerGetsOutputClosed() async throws {
        let channel = ChannelStorage<Int>(backpressure: .watermark(low: 0, high: 1, maxChunk: 4))
        let producer = Task { try await channel.send([1]) }
        channel.closeConsumer()  // before or while it waits for room: either way it is refused
        await #expect(throws: OutputClosedError.self) { try await producer.value }
    }

    @Test func batches_weighTheirCount_andALargeSendIsSplitByWeight() async throws {
        let depths = Mutex<[Int]>([])
        let channel = ChannelStorage<[Int]>(
            backpressure: .watermark(low: 50, high: 100, maxChunk: 10),
            depth: { depth in depths.withLock { $0.append(depth) } }
        )
        try await channel.send([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
        // 12 items in three batches: pieces of at most 10 items' weight, so [b1, b2] and [b3].
        #expect(depths.withLock { $0 } == [8, 12])
        guard case .chunk(let first) = await channel.next(wakeable: false) else {
            Issue.record("expected a chunk")
            return
        }
        #expect(first == [[1, 2, 3, 4], [5, 6, 7, 8]])
        guard case .chunk(let second) = await channel.next(wakeable: false) else {
            Issue.record("expected a chunk")
            return
        }
        #expect(second == [[9, 10, 11, 12]])
        #expect(depths.withLock { $0 } == [8, 12, 4, 0])
    }

    @Test func batchHeavierThanMaxChunk_travelsAlone() async throws {
        let channel = ChannelStorage<[Int]>(backpressure: .watermark(low: 50, high: 100, maxChunk: 2))
        try await channel.send([[1, 2, 3], [4]])
        guard case .chunk(let first) = await channel.next(wakeable: false) else {
            Issue.record("expected a chunk")
            return
        }
        #expect(first == [[1, 2, 3]])
    }
}
