/// A step of a pipeline: reads `Input` items from its inbox and sends `Output` items to its outbox.
///
/// Most stages are written as one async function per item with ``Map``, ``CompactMap``, ``Filter``,
/// ``FlatMap`` or ``Sink``; those get concurrency and error policies for free. A stage that needs the
/// whole stream (a source, a batcher, a sink that flushes) conforms to `Stage` directly:
///
/// ```swift
/// struct CountEvery<Item: Sendable>: Stage {
///     func run(_ input: Inbox<Item>, _ output: Outbox<Int>, _ context: StageContext) async throws {
///         var seen = 0
///         for try await chunk in input {
///             seen += chunk.count
///             try await output.send(seen)
///         }
///     }
/// }
/// ```
///
/// - Important: `run` reads its input until it ends (`nil`) and returns; it never finishes its output,
///   the pipeline does that once `run` returns. Items arrive in chunks of whatever was ready: a stage
///   must not assume a chunk size. Throwing from `run` stops the pipeline; per-item failures belong in
///   an ``ErrorPolicy``.
public protocol Stage<Input, Output>: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// Runs the stage until its input ends.
    func run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws

    /// The stage's name in logs and metric labels. Defaults to its type's name in kebab case.
    var name: String { get }

    /// The names of the stages this one is made of, in order (a stage made of no others: its own name).
    /// Composite stages in Flow override this; a stage written by hand keeps the default.
    var _stageNames: [String] { get }

    /// The type of the items each stage of ``_stageNames`` sends on, in the same order (for its tap). A
    /// stage that overrides ``_stageNames`` overrides this too, with as many entries.
    var _stageOutputTypes: [Any.Type] { get }

    /// The backpressure of this stage's input channel, when it asks for its own.
    var _inputBackpressure: Backpressure? { get }
}

extension Stage {
    public var name: String { defaultStageName(of: Self.self) }
    public var _stageNames: [String] { [self.name] }
    public var _stageOutputTypes: [Any.Type] { [Output.self] }
    public var _inputBackpressure: Backpressure? { nil }

    /// Runs this stage with its input and output attributed to it in the metrics, and its output tapped.
    ///
    /// Composite stages call this for each child; the child's `context` must point at its first stage.
    func _run(_ input: Inbox<Input>, _ output: Outbox<Output>, _ context: StageContext) async throws {
        let stage = context.runtime
        let meter = StageMeter()
        try await self.run(
            input.attributed(to: stage.metrics, meter: meter),
            output.attributed(to: stage, meter: meter),
            context
        )
    }
}

/// `Map<Int, String>` → `map`, `UpdateDeviceState` → `update-device-state`.
func defaultStageName(of type: Any.Type) -> String {
    let typeName = String(describing: type).prefix { $0 != "<" }
    var name = ""
    for character in typeName {
        if character.isUppercase {
            if !name.isEmpty && name.last != "-" { name.append("-") }
            name.append(contentsOf: character.lowercased())
        } else if character == "_" {
            continue
        } else {
            name.append(character)
        }
    }
    return name
}
