import Synchronization

/// Which event loops have subscribers of which event: what a publisher reads to know where a position goes.
///
/// A topic gets a number when its first subscriber joins and loses it when its last one leaves; the loops
/// key their subscriber lists by that number.
///
/// - Important: Thread-safe: every read and change takes the mutex, which is never held while calling out.
///   A loop changes its count here and its own subscriber lists in one event-loop task, and reads its inbox
///   in later tasks, so a position routed to a loop after a join finds the subscriber there; a position
///   routed before the join was published before that subscription began.
final class LiveTopicDirectory: Sendable {
    /// Where a publisher sends an event's positions: the topic's number and the loops with subscribers.
    struct Route {
        var topic: Int
        /// Subscribers per loop index; send to the loops whose count is > 0.
        var subscribersPerLoop: [Int]
    }

    private struct State {
        var routes: [String: Route] = [:]
        var nextTopic = 0
    }

    private let loopCount: Int
    private let state = Mutex(State())

    init(loopCount: Int) {
        self.loopCount = loopCount
    }

    /// Counts a subscriber of `event` on loop `loop`; returns the topic's number.
    func join(event: String, loop: Int) -> Int {
        self.state.withLock { state in
            if state.routes[event] == nil {
                state.routes[event] = Route(
                    topic: state.nextTopic,
                    subscribersPerLoop: Array(repeating: 0, count: self.loopCount)
                )
                state.nextTopic += 1
            }
            state.routes[event]!.subscribersPerLoop[loop] += 1
            return state.routes[event]!.topic
        }
    }

    /// Stops counting a subscriber of `event` on loop `loop`; returns the topic's number (`nil` when nobody
    /// subscribed to it).
    @discardableResult
    func leave(event: String, loop: Int) -> Int? {
        self.state.withLock { state in
            guard var route = state.routes.removeValue(forKey: event) else { return nil }
            route.subscribersPerLoop[loop] -= 1
            if route.subscribersPerLoop.contains(where: { $0 > 0 }) { state.routes[event] = route }
            return route.topic
        }
    }

    /// The route of `event`'s positions, `nil` when it has no subscriber.
    func route(event: String) -> Route? {
        self.state.withLock { $0.routes[event] }
    }
}
