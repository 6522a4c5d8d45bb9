/// The end of a pipeline: does something with each item and sends nothing on.
///
/// ```swift
/// Sink { (batch: [Position]) in try await database.insert(batch) }
///     .onError(.retry(.forever))
/// ```
public struct Sink<Input: Sendable>: ItemStage {
    public typealias Output = Never

    public var options = ItemOptions<Input>()
    @usableFromInline let body: ItemProcessor<Input, Never>.Body

    @inlinable
    public init(_ consume: @escaping @Sendable (Input) throws -> Void) {
        self.body = .sync { item, _ in try consume(item) }
    }

    @inlinable
    public init(_ consume: @escaping @Sendable (Input) async throws -> Void) {
        self.body = .async { item, _ in try await consume(item) }
    }

    @inlinable
    public func process(_ item: Input, into output: inout [Output], context: StageContext) async throws {
        try await self.body.apply(item, into: &output)
    }

    @inlinable
    public func run(_ input: Inbox<Input>, _ output: Outbox<Never>, _ context: StageContext) async throws {
        try await self.runItems(self.body, input, output, context)
    }
}
