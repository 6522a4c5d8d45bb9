/// What a per-item stage does when processing an item throws.
///
/// ```swift
/// Map(decode).onError(.skip)                                        // count, log, go on
/// Map(write).onError(.retry(.forever))                              // until it works (or the drain deadline)
/// Map(parse).onError(.retry(Retry(maxAttempts: 3), then: .deadLetter {
///     Sink { (failed: Failed<Entry>) in try await quarantine(failed) }
/// }))
/// ```
///
/// The default is ``stop``. Whatever the policy, a failing item never crashes the process: at worst it
/// stops its pipeline with a ``StageError`` naming the stage and the item.
public struct ErrorPolicy<Input: Sendable>: Sendable {
    @usableFromInline
    indirect enum Kind: Sendable {
        case stop
        case skip
        case deadLetter(any Stage<Failed<Input>, Never>)
        case retry(Retry, then: Kind)
    }

    @usableFromInline let kind: Kind

    @usableFromInline
    init(kind: Kind) {
        self.kind = kind
    }

    /// Stop the pipeline with a ``StageError``.
    public static var stop: ErrorPolicy { ErrorPolicy(kind: .stop) }

    /// Drop the item; it is counted (`outcome="skipped"`) and logged as a warning.
    public static var skip: ErrorPolicy { ErrorPolicy(kind: .skip) }

    /// Hand the item, its error and attempt count to a branch of stages ending in a sink.
    public static func deadLetter<Branch: Stage>(
        @StageBuilder _ branch: () -> Branch
    ) -> ErrorPolicy where Branch.Input == Failed<Input>, Branch.Output == Never {
        ErrorPolicy(kind: .deadLetter(branch()))
    }

    /// Try the item again after a backoff; when ``Retry`` gives up, apply `then`.
    public static func retry(_ retry: Retry = Retry(), then: ErrorPolicy = .stop) -> ErrorPolicy {
        ErrorPolicy(kind: .retry(retry, then: then.kind))
    }

    /// The dead-letter branch somewhere in this policy, if any.
    @usableFromInline
    var deadLetterBranch: (any Stage<Failed<Input>, Never>)? {
        var kind = self.kind
        while true {
            switch kind {
            case .deadLetter(let branch): return branch
            case .retry(_, let then): kind = then
            case .stop, .skip: return nil
            }
        }
    }
}

/// When and how often to try a failed item again.
public struct Retry: Sendable {
    /// Attempts in all, the first included; `nil` retries until it works or the task is cancelled.
    /// Default: 3.
    public var maxAttempts: Int?
    /// The wait before each new attempt. Default: ``Backoff/exponential(initial:maximum:multiplier:)``
    /// from 100 ms up to 5 s.
    public var backoff: Backoff
    /// Which errors are worth retrying. Default: all.
    public var isRetryable: @Sendable (any Error) -> Bool

    public init(
        maxAttempts: Int? = 3,
        backoff: Backoff = .exponential(),
        isRetryable: @escaping @Sendable (any Error) -> Bool = { _ in true }
    ) {
        precondition(maxAttempts.map { $0 >= 1 } ?? true, "maxAttempts must be at least 1")
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.isRetryable = isRetryable
    }

    /// Retries until it works (or the task is cancelled), waiting from 100 ms up to 5 s between attempts: what
    /// a source does when its server goes away, and what a stage that must not lose an item does.
    public static let forever = Retry(maxAttempts: nil)

    @usableFromInline
    func allowsAnother(after attempts: Int, error: any Error) -> Bool {
        if let maxAttempts = self.maxAttempts, attempts >= maxAttempts { return false }
        return self.isRetryable(error)
    }
}

/// The wait between attempts: `initial`, then multiplied by `multiplier` each time, at most `maximum`.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double

    public static func exponential(
        initial: Duration = .milliseconds(100),
        maximum: Duration = .seconds(5),
        multiplier: Double = 2
    ) -> Backoff {
        Backoff(initial: initial, maximum: maximum, multiplier: multiplier)
    }

    public static func constant(_ delay: Duration) -> Backoff {
        Backoff(initial: delay, maximum: delay, multiplier: 1)
    }

    /// The wait after the `attempt`-th failure (1-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = self.initial
        var step = 1
        while step < attempt && delay < self.maximum {
            delay = delay * self.multiplier
            step += 1
        }
        return min(delay, self.maximum)
    }
}

/// An item that failed in a stage, as a dead-letter branch receives it.
public struct Failed<Item: Sendable>: Sendable {
    public var item: Item
    public var error: any Error
    /// The stage the item failed in.
    public var stage: String
    /// How many times the item was tried.
    public var attempts: Int

    public init(item: Item, error: any Error, stage: String, attempts: Int) {
        self.item = item
        self.error = error
        self.stage = stage
        self.attempts = attempts
    }
}

/// A stage stopped its pipeline because an item failed under the ``ErrorPolicy/stop`` policy.
public struct StageError: Error, CustomStringConvertible {
    public var pipeline: String
    public var stage: String
    /// The failed item, described (at most 200 characters).
    public var item: String
    public var attempts: Int
    public var underlying: any Error

    @usableFromInline
    init(pipeline: String, stage: String, item: String, attempts: Int, underlying: any Error) {
        self.pipeline = pipeline
        self.stage = stage
        self.item = item
        self.attempts = attempts
        self.underlying = underlying
    }

    public var description: String {
        let tries = self.attempts == 1 ? "" : " after \(self.attempts) attempts"
        return "pipeline '\(self.pipeline)', stage '\(self.stage)': item \(self.item) failed\(tries): "
            + "\(self.underlying) (the stage's error policy is .stop; use .retry, .skip or .deadLetter to go on)"
    }
}

@usableFromInline
func describeItem(_ item: some Any) -> String {
    let text = String(describing: item)
    return text.count <= 200 ? text : String(text.prefix(199)) + "…"
}
