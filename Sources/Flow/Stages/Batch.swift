/// Groups items into arrays of at most `max`, each sent once full or `within` after its first item
/// arrived, whichever comes first.
///
/// ```swift
/// Batch<Position>(max: 500, within: .milliseconds(20))   // Position → [Position]
/// ```
///
/// - Important: An item waits at most `within` on the pipeline's clock. When the input ends (the source
///   finished, or a drain), the partial batch is sent at once.
public struct Batch<Item: Sendable>: Stage {
    public typealias Input = Item
    public typealias Output = [Item]

    public let max: Int
    public let within: Duration

    public init(max: Int, within: Duration) {
        precondition(max >= 1, "Batch(max:) must be at least 1 (got \(max))")
        precondition(within > .zero, "Batch(within:) must be positive (got \(within))")
        self.max = max
        self.within = within
    }

    @inlinable
    public func run(_ input: Inbox<Item>, _ output: Outbox<[Item]>, _ context: StageContext) async throws {
        let timer = DeadlineTimer(clock: context.clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await timer.run(wake: { input.wake() }) }
            var batch: [Item] = []
            var deadline: Duration?
            loop: while true {
                var full: [[Item]] = []
                switch try await input.receive(wakeable: true) {
                case .items(let chunk):
                    // A run of items at a time, not item by item. A chunk that fits an empty batch becomes it
                    // as it is, no item copied (what follows is appended once the chunk is let go, and the
                    // array is unique again); else the batch starts with room for what this chunk brings.
                    var rest = chunk[...]
                    while !rest.isEmpty {
                        if batch.isEmpty {
                            let due = context.clock.now + self.within
                            deadline = due
                            timer.arm(due)
                        }
                        let count = Swift.min(self.max - batch.count, rest.count)
                        if batch.isEmpty, count == chunk.count {
                            batch = chunk
                        } else {
                            if batch.isEmpty { batch.reserveCapacity(Swift.min(self.max, Swift.max(1024, rest.count))) }
                            batch.append(contentsOf: rest.prefix(count))
                        }
                        rest = rest.dropFirst(count)
                        if batch.count == self.max {
                            full.append(batch)
                            batch = []
                            deadline = nil
                        }
                    }
                case .wake:
                    if let due = deadline, context.clock.now >= due {
                        full.append(batch)
                        batch = []
                        deadline = nil
                    }
                case .end:
                    if !batch.isEmpty { try await output.send(batch) }
                    break loop
                }
                try await output.send(contentsOf: full)
            }
            group.cancelAll()
        }
    }
}
