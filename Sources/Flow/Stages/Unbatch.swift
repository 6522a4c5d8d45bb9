/// The inverse of ``Batch``: sends the items of each array on, in order.
public struct Unbatch<Item: Sendable>: Stage {
    public typealias Input = [Item]
    public typealias Output = Item

    public init() {}

    @inlinable
    public func run(_ input: Inbox<[Item]>, _ output: Outbox<Item>, _ context: StageContext) async throws {
        for try await chunk in input {
            try await output.send(contentsOf: chunk.flatMap { $0 })
        }
    }
}
