import CoreMetrics
import Logging

/// A step of a pipeline: reads `Input` items from its inbox and sends `Output` items to its outbox.
///
/// Most stages are written as one function per item with ``Map``, ``CompactMap``, ``Filter``, ``FlatMap``
/// or ``Sink``, or as a named type conforming to ``ItemStage``; those get concurrency and error policies
/// for free. A stage that needs the whole stream (a source, a batcher, a sink that flushes) conforms to
/// `Stage` directly. Its one requirement is ``run(_:_:_:)``:
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
/// A stage's name in logs, metric labels and taps is its type's name in kebab case (`count-every`);
/// ``named(_:)`` gives it another.
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
}

extension Stage {
    /// Runs this stage with its input and output attributed to it in the metrics, and its output tapped.
    ///
    /// Composite stages call this for each child; the child's `context` must point at its first stage.
    @inlinable
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

/// `Map<Int, String>` → `map`, `DropStale` → `drop-stale`.
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
