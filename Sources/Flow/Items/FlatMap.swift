/// Turns each item into any number of new items, sent in order.
public struct FlatMap<Input: Sendable, Output: Sendable>: ItemStage {
    public var options = ItemOptions<Input>()
    @usableFromInline let body: ItemProcessor<Input, Output>.Body

    @inlinable
    public init(_ transform: @escaping @Sendable (Input) throws -> [Output]) {
        self.body = .sync { item, results in results.append(contentsOf: try transform(item)) }
    }

    @inlinable
    public init(_ transform: @escaping @Sendable (Input) async throws -> [Output]) {
        self.body = .async { item, results in results.append(contentsOf: try await transform(item)) }
    }

    @inlinable
    public func process(_ item: Input, into output: inout [Output], context: StageContext) async throws {
        try await self.body.apply(item, into: &output)
    }

    @inlinable
    public func run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        try await self.runItems(self.body, input, output, context)
    }
}
