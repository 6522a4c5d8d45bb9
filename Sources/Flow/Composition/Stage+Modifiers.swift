extension Stage {
    /// The same stage under another name in logs and metric labels.
    ///
    /// For a stage made of several others, the name becomes a prefix: `decode/map`.
    public func named(_ name: String) -> _ModifiedStage<Self> {
        _ModifiedStage(base: self, name: name, backpressure: self._inputBackpressure)
    }

    /// The same stage with its own input channel size (instead of the pipeline's default).
    public func buffer(_ backpressure: Backpressure) -> _ModifiedStage<Self> {
        _ModifiedStage(base: self, name: nil, backpressure: backpressure)
    }
}

/// A stage with another name or input buffer. Built by ``Stage/named(_:)`` and ``Stage/buffer(_:)``.
public struct _ModifiedStage<Base: Stage>: Stage {
    let base: Base
    let newName: String?
    let backpressure: Backpressure?

    init(base: Base, name: String?, backpressure: Backpressure?) {
        self.base = base
        self.newName = name
        self.backpressure = backpressure
    }

    public var name: String { self.newName ?? self.base.name }

    public var _stageNames: [String] {
        let names = self.base._stageNames
        guard let newName = self.newName else { return names }
        return names.count == 1 ? [newName] : names.map { "\(newName)/\($0)" }
    }

    public var _stageOutputTypes: [Any.Type] { self.base._stageOutputTypes }
    public var _inputBackpressure: Backpressure? { self.backpressure }

    public func run(_ input: Inbox<Base.Input>, _ output: Outbox<Base.Output>, _ context: StageContext) async throws {
        try await self.base.run(input, output, context)
    }
}
