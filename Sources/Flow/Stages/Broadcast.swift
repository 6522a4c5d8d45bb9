/// Sends every item to each of several branches; what the branches send is merged into one output.
///
/// ```swift
/// Broadcast<Position, Never> {
///     Sink { (position: Position) in await map.update(position) }
///     Branch {
///         Batch<Position>(max: 100, within: .milliseconds(50))
///         Sink { (batch: [Position]) in try await archive(batch) }
///     }
/// }
/// ```
///
/// - Important: Each branch has its own bounded input channel, so the slowest branch paces the
///   broadcast (nothing is dropped for a slow branch). A branch that stops reading is left out from
///   then on. The order of items coming out of different branches is not defined.
public struct Broadcast<Input: Sendable, Output: Sendable>: Stage {
    let branches: [any Stage<Input, Output>]

    public init(@BranchBuilder<Input, Output> _ branches: () -> [any Stage<Input, Output>]) {
        self.branches = branches()
        precondition(!self.branches.isEmpty, "Broadcast needs at least one branch")
    }

    public var name: String { "broadcast" }

    public var _stageNames: [String] {
        var names = [self.name]
        for (index, branch) in self.branches.enumerated() {
            names += branch._stageNames.map { "broadcast/\(index + 1)/\($0)" }
        }
        return names
    }

    /// The broadcast itself sends its input on, to every branch.
    public var _stageOutputTypes: [Any.Type] {
        [Input.self] + self.branches.flatMap(\._stageOutputTypes)
    }

    public func run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        var offset = 1
        var channels: [ChannelStorage<Input>] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            for branch in self.branches {
                let channel: ChannelStorage<Input> = context.makeChannel(
                    feeding: context.index + offset,
                    backpressure: branch._inputBackpressure
                )
                channels.append(channel)
                let branchContext = context.advanced(by: offset)
                group.addTask {
                    defer { channel.closeConsumer() }
                    try await branch._run(Inbox(channel), output, branchContext)
                }
                offset += branch._stageNames.count
            }
            var open = channels
            for try await chunk in input {
                var stillOpen: [ChannelStorage<Input>] = []
                for channel in open {
                    do {
                        try await Outbox(channel).send(contentsOf: chunk)
                        stillOpen.append(channel)
                    } catch is OutputClosedError {
                        continue
                    }
                }
                open = stillOpen
                context.metrics.itemsOut.increment(by: chunk.count)
                context.runtime.tap.sent(chunk)
            }
            for channel in channels { channel.finish() }
            try await group.waitForAllOrFirstError()
        }
    }
}

/// Collects the branches of a ``Broadcast``, one stage (or ``Branch``) per line.
@resultBuilder
public enum BranchBuilder<Input: Sendable, Output: Sendable> {
    public static func buildExpression<S: Stage>(_ stage: S) -> [any Stage<Input, Output>]
    where S.Input == Input, S.Output == Output {
        [stage]
    }

    public static func buildBlock(_ branches: [any Stage<Input, Output>]...) -> [any Stage<Input, Output>] {
        branches.flatMap { $0 }
    }
}

/// Several stages written as one, for a ``Broadcast`` branch or a reusable piece of a pipeline.
public struct Branch<Input: Sendable, Output: Sendable>: Stage {
    let stages: any Stage<Input, Output>

    public init<Stages: Stage>(@StageBuilder _ stages: () -> Stages)
    where Stages.Input == Input, Stages.Output == Output {
        self.stages = stages()
    }

    public var name: String { "branch" }
    public var _stageNames: [String] { self.stages._stageNames }
    public var _stageOutputTypes: [Any.Type] { self.stages._stageOutputTypes }
    public var _inputBackpressure: Backpressure? { self.stages._inputBackpressure }

    public func run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        try await self.stages._run(input, output, context)
    }
}
