/// How a stage lies in its pipeline: the stages it is made of, in order, each with its name and the type
/// of the items it sends on, and the input channel it asks for. Internal to Flow: a stage author never
/// sees it.
///
/// A stage written by hand is one stage named after its type. Flow's composite stages (chains, branches,
/// modifiers, per-item stages with a dead-letter branch) describe themselves by conforming to
/// ``ComposedStage``.
///
/// - Important: The order of ``stages`` is the order of the pipeline's stage list (its metric labels and
///   taps): a composite stage's first stage is at its own index, and a child at `offset` places after it
///   runs with `context.advanced(by: offset)`.
@usableFromInline
struct StageLayout: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var name: String
        /// The type of the items leaving this stage (`Never` for a sink), for its tap.
        @usableFromInline var outputType: any Any.Type
    }

    @usableFromInline var stages: [Entry]
    /// The backpressure of the stage's input channel, when it asks for its own.
    @usableFromInline var inputBackpressure: Backpressure?

    /// One stage.
    init(name: String, outputType: any Any.Type, inputBackpressure: Backpressure? = nil) {
        self.stages = [Entry(name: name, outputType: outputType)]
        self.inputBackpressure = inputBackpressure
    }

    init(stages: [Entry], inputBackpressure: Backpressure?) {
        precondition(!stages.isEmpty, "a stage is made of at least one stage")
        self.stages = stages
        self.inputBackpressure = inputBackpressure
    }

    /// How many stages of the pipeline's list this one takes.
    @usableFromInline var count: Int { self.stages.count }

    /// The layout of `stage`, whatever its kind.
    @usableFromInline
    static func of<S: Stage>(_ stage: S) -> StageLayout {
        if let composed = stage as? any ComposedStage { return composed.layout }
        if let items = stage as? any ItemStage { return Self.ofItems(items) }
        return StageLayout(name: defaultStageName(of: S.self), outputType: S.Output.self)
    }

    /// A per-item stage: its own name, then its dead-letter branch's stages under `<name>/dead-letter/`.
    private static func ofItems<S: ItemStage>(_ stage: S) -> StageLayout {
        let own = stage.name
        var stages = [Entry(name: own, outputType: S.Output.self)]
        if let branch = stage.options.errorPolicy.deadLetterBranch {
            for entry in Self.of(branch).stages {
                stages.append(Entry(name: "\(own)/dead-letter/\(entry.name)", outputType: entry.outputType))
            }
        }
        return StageLayout(stages: stages, inputBackpressure: nil)
    }
}

/// A stage of Flow's own that is made of others, or changes another's name or input channel.
protocol ComposedStage {
    var layout: StageLayout { get }
}
