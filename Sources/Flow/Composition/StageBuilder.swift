/// Composes stages written one per line into one stage; the compiler checks that each stage's input
/// is the previous stage's output.
///
/// ```swift
/// Pipeline("example") {
///     Source(["1", "2", "x"])
///     CompactMap { (text: String) in Int(text) }   // String → Int
///     Map { (n: Int) in n * 2 }                   // Int → Int
///     Sink { (n: Int) in print(n) }
/// }
/// ```
///
/// A stage whose input does not match the previous output does not compile. `if` works when the
/// optional stage's input and output are the same type, `if`/`else` when both branches agree.
@resultBuilder
public enum StageBuilder {
    public static func buildPartialBlock<First: Stage>(first: First) -> First {
        first
    }

    public static func buildPartialBlock<Accumulated: Stage, Next: Stage>(
        accumulated: Accumulated,
        next: Next
    ) -> _ChainedStage<Accumulated, Next> where Accumulated.Output == Next.Input {
        _ChainedStage(first: accumulated, second: next)
    }

    public static func buildOptional<S: Stage>(_ stage: S?) -> _OptionalStage<S> where S.Input == S.Output {
        _OptionalStage(stage: stage)
    }

    public static func buildEither<First: Stage, Second: Stage>(
        first: First
    ) -> _EitherStage<First, Second> where First.Input == Second.Input, First.Output == Second.Output {
        _EitherStage(choice: .first(first))
    }

    public static func buildEither<First: Stage, Second: Stage>(
        second: Second
    ) -> _EitherStage<First, Second> where First.Input == Second.Input, First.Output == Second.Output {
        _EitherStage(choice: .second(second))
    }
}

/// Two stages joined by a bounded channel. Built by ``StageBuilder``; not meant to be named.
///
/// - Important: Each side runs in its own child task. When the first side ends, the channel is finished
///   and the second side drains it; when the second side stops reading, the first side's sends are
///   refused and it ends quietly. An error on either side cancels both.
public struct _ChainedStage<First: Stage, Second: Stage>: Stage, ComposedStage where First.Output == Second.Input {
    @usableFromInline let first: First
    @usableFromInline let second: Second

    @usableFromInline
    init(first: First, second: Second) {
        self.first = first
        self.second = second
    }

    var layout: StageLayout {
        let first = StageLayout.of(self.first)
        return StageLayout(
            stages: first.stages + StageLayout.of(self.second).stages,
            inputBackpressure: first.inputBackpressure
        )
    }

    @inlinable
    public func run(
        _ input: Inbox<First.Input>,
        _ output: Outbox<Second.Output>,
        _ context: StageContext
    ) async throws {
        let offset = StageLayout.of(self.first).count
        let channel: ChannelStorage<First.Output> = context.makeChannel(
            feeding: context.index + offset,
            backpressure: StageLayout.of(self.second).inputBackpressure
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await self.first._run(input, Outbox(channel), context)
                } catch is OutputClosedError {
                    // The second side stopped reading; ending here is the normal response.
                }
                channel.finish()
            }
            group.addTask {
                defer { channel.closeConsumer() }
                try await self.second._run(Inbox(channel), output, context.advanced(by: offset))
            }
            try await group.waitForAllOrFirstError()
        }
    }
}

/// A stage present or not (an `if` in a ``StageBuilder``); absent, items pass through unchanged.
public struct _OptionalStage<Wrapped: Stage>: Stage, ComposedStage where Wrapped.Input == Wrapped.Output {
    @usableFromInline let stage: Wrapped?

    @usableFromInline
    init(stage: Wrapped?) {
        self.stage = stage
    }

    var layout: StageLayout {
        self.stage.map(StageLayout.of) ?? StageLayout(name: "pass-through", outputType: Wrapped.Output.self)
    }

    @inlinable
    public func run(
        _ input: Inbox<Wrapped.Input>,
        _ output: Outbox<Wrapped.Output>,
        _ context: StageContext
    )
        async throws
    {
        if let stage = self.stage {
            try await stage._run(input, output, context)
        } else {
            for try await chunk in input { try await output.send(contentsOf: chunk) }
        }
    }
}

/// One of two stages (an `if`/`else` in a ``StageBuilder``).
public struct _EitherStage<First: Stage, Second: Stage>: Stage, ComposedStage
where First.Input == Second.Input, First.Output == Second.Output {
    @usableFromInline
    enum Choice: Sendable {
        case first(First)
        case second(Second)
    }

    @usableFromInline let choice: Choice

    @usableFromInline
    init(choice: Choice) {
        self.choice = choice
    }

    var layout: StageLayout {
        switch self.choice {
        case .first(let stage): StageLayout.of(stage)
        case .second(let stage): StageLayout.of(stage)
        }
    }

    @inlinable
    public func run(
        _ input: Inbox<First.Input>,
        _ output: Outbox<First.Output>,
        _ context: StageContext
    )
        async throws
    {
        switch self.choice {
        case .first(let stage): try await stage._run(input, output, context)
        case .second(let stage): try await stage._run(input, output, context)
        }
    }
}
