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
public struct Broadcast<Input: Sendable, Output: Sendable>: Stage, ComposedStage {
    let branches: [any Stage<Input, Output>]

    public init(@BranchBuilder<Input, Output> _ branches: () -> [any Stage<Input, Output>]) {
        self.branches = branches()
        precondition(!self.branches.isEmpty, "Broadcast needs at least one branch")
    }

    /// The broadcast itself sends its input on, to every branch; each branch's stages follow under
    /// `broadcast/<n>/`.
    var layout: StageLayout {
        var stages = [StageLayout.Entry(name: "broadcast", outputType: Input.self)]
        for (index, branch) in self.branches.enumerated() {
            for entry in StageLayout.of(branch).stages {
                stages.append(.init(name: "broadcast/\(index + 1)/\(entry.name)", outputType: entry.outputType))
            }
        }
        return StageLayout(stages: stages, inputBackpressure: nil)
    }

    public func run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        var offset = 1
        var channels: [ChannelStorage<Input>] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            for branch in self.branches {
                let channel: ChannelStorage<Input> = context.makeChannel(
                    feeding: context.index + offset,
                    backpressure: StageLayout.of(branch).inputBackpressure
                )
                channels.append(channel)
                let branchContext = context.advanced(by: offset)
                group.addTask {
                    defer { channel.closeConsumer() }
                    try await branch._run(Inbox(channel), output, branchContext)
                }
                offset += StageLayout.of(branch).count
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
public struct Branch<Input: Sendable, Output: Sendable>: Stage, ComposedStage {
    let stages: any Stage<Input, Output>

    public init<Stages: Stage>(@StageBuilder _ stages: () -> Stages)
    where Stages.Input == Input, Stages.Output == Output {
        self.stages = stages()
    }

    var layout: StageLayout { StageLayout.of(self.stages) }

    public func run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        try await self.stages._run(input, output, context)
    }
}
