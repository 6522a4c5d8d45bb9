/// Turns each item into a new item, or into nothing when the function returns `nil`.
public struct CompactMap<Input: Sendable, Output: Sendable>: ItemStage {
    public var options = ItemOptions<Input>()
    @usableFromInline let body: ItemProcessor<Input, Output>.Body

    @inlinable
    public init(_ transform: @escaping @Sendable (Input) throws -> Output?) {
        self.body = .sync { item, results in
            if let result = try transform(item) { results.append(result) }
        }
    }

    @inlinable
    public init(_ transform: @escaping @Sendable (Input) async throws -> Output?) {
        self.body = .async { item, results in
            if let result = try await transform(item) { results.append(result) }
        }
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
