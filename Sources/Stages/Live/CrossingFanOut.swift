import Flow

/// Where live crossings go to the browsers: the WebSocket server's hub (``LiveHub``), or a fake in a unit test.
public protocol LiveCrossingPublisher: Sendable {
    /// Sends `change` as a `crossing` or `crossing-removed` to the subscribers of its event; never waits for a
    /// browser.
    func publish(_ change: CrossingChange)
}

extension LiveHub: LiveCrossingPublisher {}

/// Hands each change of the `crossings` table to the subscribers of its event (CONTRACT §6.5): the event id
/// names the topic. The last stage of live-broadcast's timing branch.
///
/// - Important: Never waits for a browser (see ``LiveHub``). A crossing is never coalesced with another
///   message; it waits in a slow client's bounded queue like any frame.
public struct CrossingFanOut: ItemStage {
    public var options = ItemOptions<CrossingChange>()
    let publisher: any LiveCrossingPublisher

    public init(publisher: any LiveCrossingPublisher) {
        self.publisher = publisher
    }

    public func process(_ change: CrossingChange, into output: inout [Never], context: StageContext) {
        self.publisher.publish(change)
    }
}
