extension Stage {
    /// The same stage under another name in logs, metric labels and taps.
    ///
    /// For a stage made of several others, the name becomes a prefix: `decode/map`.
    public func named(_ name: String) -> _ModifiedStage<Self> {
        _ModifiedStage(base: self, name: name, backpressure: nil)
    }

    /// The same stage with its own input channel (instead of the pipeline's default).
    public func buffer(_ backpressure: Backpressure) -> _ModifiedStage<Self> {
        _ModifiedStage(base: self, name: nil, backpressure: backpressure)
    }
}

/// A stage with another name or input buffer. Built by ``Stage/named(_:)`` and ``Stage/buffer(_:)``.
public struct _ModifiedStage<Base: Stage>: Stage, ComposedStage {
    @usableFromInline let base: Base
    let newName: String?
    let backpressure: Backpressure?

    init(base: Base, name: String?, backpressure: Backpressure?) {
        self.base = base
        self.newName = name
        self.backpressure = backpressure
    }

    var layout: StageLayout {
        var layout = StageLayout.of(self.base)
        if let newName = self.newName {
            if layout.count == 1 {
                layout.stages[0].name = newName
            } else {
                for index in layout.stages.indices {
                    layout.stages[index].name = "\(newName)/\(layout.stages[index].name)"
                }
            }
        }
        if let backpressure = self.backpressure { layout.inputBackpressure = backpressure }
        return layout
    }

    /// A name given again replaces the first, a buffer given again the first; the other is kept.
    public func named(_ name: String) -> _ModifiedStage<Base> {
        _ModifiedStage(base: self.base, name: name, backpressure: self.backpressure)
    }

    public func buffer(_ backpressure: Backpressure) -> _ModifiedStage<Base> {
        _ModifiedStage(base: self.base, name: self.newName, backpressure: backpressure)
    }

    @inlinable
    public func run(_ input: Inbox<Base.Input>, _ output: Outbox<Base.Output>, _ context: StageContext) async throws {
        try await self.base.run(input, output, context)
    }
}
