/// Turns each item into one new item.
///
/// ```swift
/// Map { (reading: Reading) in reading.celsius * 9 / 5 + 32 }
///     .concurrency(.ordered(8))
///     .onError(.skip)
/// ```
public struct Map<Input: Sendable, Output: Sendable>: ItemStage {
    public var options = ItemOptions<Input>()
    @usableFromInline let body: ItemProcessor<Input, Output>.Body

    @inlinable
    public init(_ transform: @escaping @Sendable (Input) throws -> Output) {
        self.body = .sync { item, results in results.append(try transform(item)) }
    }

    @inlinable
    public init(_ transform: @escaping @Sendable (Input) async throws -> Output) {
        self.body = .async { item, results in results.append(try await transform(item)) }
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
