/// How many items a per-item stage processes at once, and which order its output keeps.
public struct Concurrency<Input: Sendable>: Sendable {
    @usableFromInline
    enum Mode: Sendable {
        case serial
        case unordered
        case ordered
        case perKey(@Sendable (Input) -> Int)
    }

    @usableFromInline let mode: Mode
    @usableFromInline let limit: Int

    @usableFromInline
    init(mode: Mode, limit: Int) {
        self.mode = mode
        self.limit = limit
    }

    /// One item at a time, in order (the default).
    public static var serial: Concurrency { Concurrency(mode: .serial, limit: 1) }

    /// Up to `limit` items at once; each result is sent as soon as it is ready.
    public static func unordered(_ limit: Int) -> Concurrency {
        precondition(limit >= 1, "concurrency limit must be at least 1 (got \(limit))")
        return Concurrency(mode: .unordered, limit: limit)
    }

    /// Up to `limit` items at once; results leave in input order.
    public static func ordered(_ limit: Int) -> Concurrency {
        precondition(limit >= 1, "concurrency limit must be at least 1 (got \(limit))")
        return Concurrency(mode: .ordered, limit: limit)
    }

    /// Up to `limit` items at once, never two with the same key: items sharing a key (a device, say)
    /// are processed and sent in input order; items of different keys overtake each other.
    public static func perKey<Key: Hashable & Sendable>(
        _ limit: Int,
        key: @escaping @Sendable (Input) -> Key
    ) -> Concurrency {
        precondition(limit >= 1, "concurrency limit must be at least 1 (got \(limit))")
        // Equal keys have equal hashes; a collision between different keys only serialises them.
        return Concurrency(mode: .perKey({ key($0).hashValue }), limit: limit)
    }
}

/// The settings every per-item stage shares: name, concurrency and error policy.
public struct ItemOptions<Input: Sendable>: Sendable {
    /// The stage's name in logs and metric labels; `nil`: its type's name (`map`, `filter`…).
    public var name: String?
    public var concurrency: Concurrency<Input> = .serial
    public var errorPolicy: ErrorPolicy<Input> = .stop

    public init() {}
}

/// A stage written as one function per item: ``Map``, ``CompactMap``, ``Filter``, ``FlatMap``, ``Sink``, or
/// a named type of your own. They share a name, concurrency and an error policy, set with modifiers.
///
/// A named per-item stage holds its options and says what one item becomes:
///
/// ```swift
/// /// Drops readings from before the epoch.
/// struct DropEarly: ItemStage {
///     var options = ItemOptions<Reading>()
///
///     func process(_ reading: Reading, into output: inout [Reading], context: StageContext) {
///         if reading.time >= 0 { output.append(reading) }
///     }
/// }
///
/// DropEarly().concurrency(.perKey(4) { $0.device }).onError(.skip)
/// ```
///
/// - Important: `process` appends the item's results to `output` (nothing: the item is dropped) and
///   appends nothing when it throws; the error policy then decides (see ``ErrorPolicy``). With
///   concurrency, `process` runs for several items at once: keep state behind a lock, or use
///   ``Concurrency/perKey(_:key:)`` so that one key's items never overlap.
public protocol ItemStage: Stage {
    // Restated so that the compiler infers them from `options` and `process` in a conforming type.
    associatedtype Input
    associatedtype Output

    /// The stage's name, concurrency and error policy; `ItemOptions()` for the defaults.
    var options: ItemOptions<Input> { get set }

    /// Processes one item, appending what it sends on to `output`. `context` has the stage's logger, metrics
    /// factory and clock.
    func process(_ item: Input, into output: inout [Output], context: StageContext) async throws
}

extension ItemStage {
    /// The stage's name: set with ``named(_:)``, else its type's name in kebab case.
    public var name: String { self.options.name ?? defaultStageName(of: Self.self) }

    /// The same stage under another name in logs, metric labels and taps; its dead-letter branch, if any,
    /// is named under it (`decode/dead-letter/sink`).
    public func named(_ name: String) -> Self {
        var copy = self
        copy.options.name = name
        return copy
    }

    /// Processes up to N items at once (see ``Concurrency``).
    public func concurrency(_ concurrency: Concurrency<Input>) -> Self {
        var copy = self
        copy.options.concurrency = concurrency
        return copy
    }

    /// What to do with an item whose processing throws (see ``ErrorPolicy``). Default: `.stop`.
    public func onError(_ policy: ErrorPolicy<Input>) -> Self {
        var copy = self
        copy.options.errorPolicy = policy
        return copy
    }

    /// Runs ``process(_:into:context:)`` for every item, under the stage's options.
    @inlinable
    public func run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        let body = ItemProcessor<Input, Output>.Body.async { item, results in
            try await self.process(item, into: &results, context: context)
        }
        try await self.runItems(body, input, output, context)
    }
}

extension ItemStage {
    /// Every per-item stage runs the same way: its body under its options.
    @inlinable
    func runItems(
        _ body: ItemProcessor<Input, Output>.Body,
        _ input: Inbox<Input>,
        _ output: Outbox<Output>,
        _ context: StageContext
    ) async throws {
        try await ItemProcessor(body: body, options: self.options).run(input, output, context)
    }
}
