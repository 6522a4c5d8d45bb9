import CoreMetrics
import Logging

/// Runs a per-item stage: applies `body` to every item, with the stage's concurrency and error policy.
///
/// `body` appends the item's results to the output chunk being built; it appends nothing when it throws
/// (the per-item stages append only after their function returned). A synchronous body runs a whole
/// chunk without an async call per item, which is most of the cost of a trivial stage.
@usableFromInline
struct ItemProcessor<Input: Sendable, Output: Sendable>: Sendable {
    @usableFromInline
    enum Body: Sendable {
        case sync(@Sendable (Input, inout [Output]) throws -> Void)
        case async(@Sendable (Input, inout [Output]) async throws -> Void)

        @inlinable
        func apply(_ item: Input, into results: inout [Output]) async throws {
            switch self {
            case .sync(let body): try body(item, &results)
            case .async(let body): try await body(item, &results)
            }
        }
    }

    @usableFromInline let body: Body
    @usableFromInline let options: ItemOptions<Input>

    @inlinable
    init(body: Body, options: ItemOptions<Input>) {
        self.body = body
        self.options = options
    }

    @inlinable
    func apply(_ item: Input, into results: inout [Output]) async throws {
        try await self.body.apply(item, into: &results)
    }

    @inlinable
    func run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        guard let branch = self.options.errorPolicy.deadLetterBranch else {
            try await self.runMain(input, output, context, deadLetter: nil)
            return
        }
        // The dead-letter branch's stages follow this stage's own in the pipeline's stage list.
        let channel: ChannelStorage<Failed<Input>> = context.makeChannel(
            feeding: context.index + 1,
            backpressure: StageLayout.of(branch).inputBackpressure
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { channel.closeConsumer() }
                try await branch._run(Inbox(channel), .discard, context.advanced(by: 1))
            }
            try await self.runMain(input, output, context, deadLetter: Outbox(channel))
            channel.finish()
            try await group.waitForAllOrFirstError()
        }
    }

    @inlinable
    func runMain(
        _ input: Inbox<Input>,
        _ output: Outbox<Output>,
        _ context: StageContext,
        deadLetter: Outbox<Failed<Input>>?
    ) async throws {
        switch (self.options.concurrency.mode, self.body) {
        case (.serial, .sync(let body)):
            for try await chunk in input {
                var results: [Output] = []
                results.reserveCapacity(chunk.count)
                for item in chunk {
                    do {
                        try body(item, &results)
                    } catch {
                        try await self.recover(from: error, item: item, into: &results, context, deadLetter)
                    }
                }
                try await output.send(contentsOf: results)
            }
        case (.serial, .async(let body)):
            for try await chunk in input {
                var results: [Output] = []
                results.reserveCapacity(chunk.count)
                for item in chunk {
                    do {
                        try await body(item, &results)
                    } catch {
                        try await self.recover(from: error, item: item, into: &results, context, deadLetter)
                    }
                }
                try await output.send(contentsOf: results)
            }
        default:
            try await ConcurrentItemRunner(processor: self, context: context, deadLetter: deadLetter)
                .run(input.withoutMeter(), output)
        }
    }

    /// Applies the error policy to an item whose first attempt threw `error`.
    ///
    /// Returns when the item was processed by a retry, skipped or dead-lettered; throws a ``StageError``
    /// under `.stop`, and `CancellationError` when cancelled (cancellation is never the item's fault).
    @inlinable
    func recover(
        from error: any Error,
        item: Input,
        into results: inout [Output],
        _ context: StageContext,
        _ deadLetter: Outbox<Failed<Input>>?
    ) async throws {
        var error = error
        var attempts = 1
        attempt: while true {
            if Task.isCancelled { throw CancellationError() }
            var kind = self.options.errorPolicy.kind
            while true {
                switch kind {
                case .retry(let retry, let then):
                    guard retry.allowsAnother(after: attempts, error: error) else {
                        kind = then
                        continue
                    }
                    context.metrics.errors(.retried).increment()
                    let delay = retry.backoff.delay(afterAttempt: attempts)
                    context.logger.warning(
                        "item failed, retrying",
                        metadata: ["attempt": "\(attempts)", "retry_in": "\(delay)", "error": "\(error)"]
                    )
                    try await context.clock.sleep(for: delay)
                    attempts += 1
                    do {
                        try await self.apply(item, into: &results)
                        return
                    } catch let next {
                        error = next
                        continue attempt
                    }
                case .skip:
                    context.metrics.errors(.skipped).increment()
                    context.logger.warning(
                        "item skipped",
                        metadata: ["item": "\(describeItem(item))", "attempts": "\(attempts)", "error": "\(error)"]
                    )
                    return
                case .deadLetter:
                    context.metrics.errors(.deadLettered).increment()
                    // The branch decides and reports what becomes of the item; here it is only routed.
                    context.logger.debug(
                        "item routed to the dead-letter branch",
                        metadata: ["item": "\(describeItem(item))", "attempts": "\(attempts)", "error": "\(error)"]
                    )
                    let failed = Failed(item: item, error: error, stage: context.stageName, attempts: attempts)
                    try await deadLetter?.send(failed)
                    return
                case .stop:
                    context.metrics.errors(.stopped).increment()
                    throw StageError(
                        pipeline: context.pipelineName,
                        stage: context.stageName,
                        item: describeItem(item),
                        attempts: attempts,
                        underlying: error
                    )
                }
            }
        }
    }

    /// Processes one item with its error policy, for a concurrent runner's worker.
    @inlinable
    func process(_ item: Input, _ context: StageContext, _ deadLetter: Outbox<Failed<Input>>?) async throws -> [Output]
    {
        var results: [Output] = []
        do {
            try await self.apply(item, into: &results)
        } catch {
            results.removeAll()
            try await self.recover(from: error, item: item, into: &results, context, deadLetter)
        }
        return results
    }
}
