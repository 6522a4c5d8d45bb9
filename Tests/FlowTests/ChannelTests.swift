import Testing

@testable import Flow

/// The channel with real tasks: suspension, resumption, cancellation.
@Suite struct ChannelTests {
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
        let settled = try await settledValue { sent.current }
        #expect(settled == 7)
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
}
