// One channel hop, measured alone: a producer task moves integers to a consumer task through Flow's
// channel and through swift-async-algorithms' MultiProducerSingleConsumerAsyncChannel, with the same
// bounds (low 512, high 1,024 items) and the same chunks of 256, the size Flow's stages send.
import AsyncAlgorithms
import Flow

/// The chunk a producer hands over at once (Flow's default `maxChunk`).
let hopChunk = 256

/// What a consumer received: how many items and their sum (checked against the producer's).
struct Received: Sendable {
    var count = 0
    var sum = 0

    mutating func add(_ item: Int) {
        self.count += 1
        self.sum &+= item
    }
}

/// The integers `0..<items` in chunks of `hopChunk`, built before the clock starts.
func hopChunks(_ items: Int) -> [[Int]] {
    stride(from: 0, to: items, by: hopChunk).map { Array($0..<min($0 + hopChunk, items)) }
}

/// Flow's channel (what joins two stages), without the stage around it: chunks in, chunks out.
func flowChannelHop(items: Int) async throws -> Measurement {
    let chunks = hopChunks(items)
    return try await timed {
        let channel = ChannelStorage<Int>(backpressure: .default)
        let consumer = Task {
            var received = Received()
            while case .chunk(let chunk) = await channel.next(wakeable: false) {
                for item in chunk { received.add(item) }
            }
            return received
        }
        for chunk in chunks { try await channel.send(chunk) }
        channel.finish()
        let received = await consumer.value
        return (received.count, received.sum)
    }
}

/// MultiProducerSingleConsumerAsyncChannel carrying items: the producer sends a chunk's contents, the
/// consumer takes one item per `next()`.
func asyncAlgorithmsItemHop(items: Int) async throws -> Measurement {
    let chunks = hopChunks(items)
    return try await timed {
        var channelAndSource = MultiProducerSingleConsumerAsyncChannel.makeChannel(
            of: Int.self,
            backpressureStrategy: .watermark(low: 512, high: 1024)
        )
        let elements = channelAndSource.takeChannel().elements()
        var source = consume channelAndSource.source
        // The source is not copyable and `finish()` consumes it, so the producer stays in this task.
        let consumer = Task {
            var received = Received()
            for await item in elements { received.add(item) }
            return received
        }
        for chunk in chunks { try await source.send(contentsOf: chunk) }
        source.finish()
        let received = await consumer.value
        return (received.count, received.sum)
    }
}

/// MultiProducerSingleConsumerAsyncChannel carrying chunks, each weighing its count: the same unit of
/// hand-over as Flow's channel.
func asyncAlgorithmsChunkHop(items: Int) async throws -> Measurement {
    let chunks = hopChunks(items)
    return try await timed {
        var channelAndSource = MultiProducerSingleConsumerAsyncChannel.makeChannel(
            of: [Int].self,
            backpressureStrategy: .watermark(low: 512, high: 1024, waterLevelForElement: { $0.count })
        )
        let elements = channelAndSource.takeChannel().elements()
        var source = consume channelAndSource.source
        // The source is not copyable and `finish()` consumes it, so the producer stays in this task.
        let consumer = Task {
            var received = Received()
            for await chunk in elements {
                for item in chunk { received.add(item) }
            }
            return received
        }
        for chunk in chunks { try await source.send(chunk) }
        source.finish()
        let received = await consumer.value
        return (received.count, received.sum)
    }
}
