/// The start of a pipeline: produces items from a sequence, an async sequence, or a closure.
///
/// A source stops reading when the pipeline drains (``StageContext/isStopping``); what it already
/// read, it still sends.
///
/// ```swift
/// Source(1...100)                                   // a sequence: sent in chunks, all of it is ready
/// Source(updates)                                   // an AsyncSequence: each element as it arrives
/// Source { output, context in                       // a closure: read until the drain begins
///     while !context.isStopping { try await output.send(contentsOf: try await poll()) }
/// }
/// ```
public struct Source<Output: Sendable>: Stage, ComposedStage {
    public typealias Input = Never

    @usableFromInline let produce: @Sendable (Outbox<Output>, StageContext) async throws -> Void

    /// A source written as a closure. It returns when it has nothing more to read, or soon after
    /// `context.isStopping` turns `true`.
    @inlinable
    public init(_ produce: @escaping @Sendable (_ output: Outbox<Output>, _ context: StageContext) async throws -> Void)
    {
        self.produce = produce
    }

    /// The items of a sequence, in chunks of the pipeline's `maxChunk`.
    @inlinable
    public init<Items: Sequence & Sendable>(_ items: Items) where Items.Element == Output {
        self.produce = { output, context in
            let chunkSize = context.run.configuration.backpressure.maxChunk
            var iterator = items.makeIterator()
            var chunk: [Output] = []
            chunk.reserveCapacity(chunkSize)
            while !context.isStopping {
                while chunk.count < chunkSize, let item = iterator.next() { chunk.append(item) }
                if chunk.isEmpty { return }
                try await output.send(contentsOf: chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The elements of an async sequence, each sent as soon as it arrives.
    ///
    /// - Note: The sequence is asked for its next element until the drain begins; a sequence that
    ///   never produces again is left to the drain deadline.
    @inlinable
    public init<Elements: AsyncSequence & Sendable>(_ elements: Elements) where Elements.Element == Output {
        self.produce = { output, context in
            for try await element in elements {
                try await output.send(element)
                if context.isStopping { return }
            }
        }
    }

    var layout: StageLayout { StageLayout(name: "source", outputType: Output.self) }

    @inlinable
    public func run(_ input: Inbox<Never>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        try await self.produce(output, context)
    }
}
