/// Passes on the items for which the predicate returns `true`.
public struct Filter<Item: Sendable>: ItemStage {
    public typealias Input = Item
    public typealias Output = Item

    public var options = ItemOptions<Item>()
    @usableFromInline let body: ItemProcessor<Item, Item>.Body

    @inlinable
    public init(_ isIncluded: @escaping @Sendable (Item) throws -> Bool) {
        self.body = .sync { item, results in
            if try isIncluded(item) { results.append(item) }
        }
    }

    @inlinable
    public init(_ isIncluded: @escaping @Sendable (Item) async throws -> Bool) {
        self.body = .async { item, results in
            if try await isIncluded(item) { results.append(item) }
        }
    }

    @inlinable
    public func process(_ item: Input, into output: inout [Output], context: StageContext) async throws {
        try await self.body.apply(item, into: &output)
    }

    @inlinable
    public func run(_ input: Inbox<Item>, _ output: Outbox<Item>, _ context: StageContext) async throws {
        try await self.runItems(self.body, input, output, context)
    }
}
